// Types of deploy/render.mjs for the TypeScript tests (the renderer itself stays plain JavaScript).
export type TemplateName = 'haproxy-node' | 'haproxy-external' | 'haproxy-flat' | 'apache-node' | 'apache-external' | 'apache-flat';
export interface NodeSpec { id: string; addrs: string[] }
export interface Timing { inter: number; fastinter: number; fall: number; rise: number; timeout: number }
export interface RenderOptions {
  listen: string;
  nodes: NodeSpec[];
  timing?: Partial<Timing>;
  serverTimeout?: number;
  standalone?: { dir: string; user?: string; group?: string };
}
export const TEMPLATES: Readonly<Record<TemplateName, { file: string; tier: 'node' | 'external' }>>;
export const DEFAULT_TIMING: Readonly<{ node: Readonly<Timing>; external: Readonly<Timing> }>;
export const DEFAULT_SERVER_TIMEOUT_S: number;
export const APACHE_MODULES: readonly string[];
export function parseNodes(text: string): NodeSpec[];
export function fill(text: string, scope: unknown): string;
export function render(template: TemplateName, options: RenderOptions): string;
