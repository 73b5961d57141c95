/** CSS2 time values as `<send delay>` uses them (W3C §6.2): "500ms", "2s", ".5s". NaN when not a time. */
export function parseDelay(text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return NaN;
  const n = Number(m[1]);
  switch (m[2]) {
    case 's': return n * 1000;
    case 'm': return n * 60_000;
    case 'h': return n * 3_600_000;
    case 'd': return n * 86_400_000;
    case 'ms': return n;
    default: return n === 0 ? 0 : NaN;
  }
}
