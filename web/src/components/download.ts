/** Browser-side file saving for the export menu. */

/** Saves `blob` as `filename` through a temporary link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: Chromium reads the blob after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Gzips bytes with the browser's CompressionStream (pprof files are conventionally .pb.gz). */
export async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Blob> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).blob();
}

/** The PNG of the flame-graph canvas inside `container`. */
export function canvasPng(container: HTMLElement | null): Promise<Blob> {
  const canvas = container?.querySelector<HTMLCanvasElement>('canvas[data-testid="flameGraph"]');
  if (!canvas) return Promise.reject(new Error("the flame graph is not shown (switch the view to the flame graph to export a PNG)"));
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the canvas could not be encoded as PNG"))), "image/png");
  });
}
