/** Euclidean distance between two face descriptors: 0 is identical; lower is more alike. */
export function faceDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError('descriptors differ in length');
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * Where a distance between two faces falls: within `maxDistance` the same person, up to `reviewMargin`
 * beyond it a person should look, farther a different person. Thresholds from CALIBRATION.md.
 */
export function judgeDistance(distance: number, maxDistance: number, reviewMargin: number): 'pass' | 'review' | 'fail' {
  if (distance <= maxDistance) return 'pass';
  return distance <= maxDistance + reviewMargin ? 'review' : 'fail';
}
