/** Reading a node's /metrics in tests. */

/** The sum of a metric's samples (every label set) on the node at `url`; NaN when it has none. */
export async function metricOf(url: string, name: string): Promise<number> {
  const text = await (await fetch(url + '/metrics')).text();
  let sum = NaN;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum = (Number.isNaN(sum) ? 0 : sum) + Number(m[1]);
  return sum;
}
