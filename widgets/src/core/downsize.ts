/**
 * Shrinks a photo in the browser before upload: the model sees 224×224 pixels, so a 12-megapixel phone photo is
 * almost all wasted bytes. The longer side is scaled to at most `maxSide` (aspect kept) and re-encoded as JPEG;
 * images already small enough are sent as they are. Returns base64 without a data: prefix.
 */
export async function downsizeToBase64(file: Blob, maxSide: number, quality = 0.9): Promise<{ base64: string; width: number; height: number; bytes: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && (file.type === 'image/jpeg' || file.type === 'image/png') && file.size <= 512 * 1024) {
      return { base64: await blobToBase64(file), width: bitmap.width, height: bitmap.height, bytes: file.size };
    }
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) throw new Error('the browser could not encode the photo');
    return { base64: await blobToBase64(blob), width, height, bytes: blob.size };
  } finally {
    bitmap.close();
  }
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
