/**
 * In a list sorted by `keyAt` (ascending, `count` long), the index of the last entry whose
 * key is at most `value`; 0 when there is none.
 */
export function floorIndex(count: number, keyAt: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (keyAt(mid) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
