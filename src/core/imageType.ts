/**
 * The type of an uploaded photo, read from its first bytes. A client's declared
 * content type and file name are not trusted: a text file renamed `.png` is not
 * a PNG, and the hub serves evidence back with the type found here.
 */
export interface ImageType {
  readonly mime: 'image/jpeg' | 'image/png' | 'image/webp';
  readonly ext: 'jpg' | 'png' | 'webp';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  // PNG: the 8-byte signature (PNG spec §5.2)
  if (startsWith(bytes, PNG_SIGNATURE)) return { mime: 'image/png', ext: 'png' };
  // JPEG: SOI marker FF D8 followed by the next marker's FF (ITU T.81 B.1.1.3)
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  // WebP: a RIFF container whose form type is WEBP (RFC 9649 §2.5)
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { mime: 'image/webp', ext: 'webp' };
  return undefined;
}

export const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };
