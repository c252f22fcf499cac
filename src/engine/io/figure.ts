/** A count or position as messages write it, the same in every locale: 4,999. */
export function figure(n: number): string {
  return n.toLocaleString('en-US');
}
