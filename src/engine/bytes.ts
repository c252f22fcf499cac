const MB = 2 ** 20;

/** A size in bytes in words: "8.5 MB", "490 MB", "1.2 GB". */
export function byteSize(bytes: number): string {
  const mb = bytes / MB;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
  return `${mb.toFixed(mb < 10 ? 1 : 0)} MB`;
}
