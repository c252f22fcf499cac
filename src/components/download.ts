/** Hands `file` to the browser as a download named `fileName`. */
export function downloadFile(file: Blob, fileName: string): void {
  const href = URL.createObjectURL(file);
  Object.assign(document.createElement('a'), { href, download: fileName }).click();
  // The download reads the URL after click() returns: revoke it once it surely has.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
