/**
 * The local stack's favicon, so a browser opening the IDE gets an icon instead of a 404 in its
 * console: a 16×16 ICO (one 32-bit BMP image) drawn from the pattern below, built once at start.
 */
const PATTERN = [
  '################',
  '#..............#',
  '#..#######.....#',
  '#..##....##....#',
  '#..##....##....#',
  '#..##....##....#',
  '#..#######.....#',
  '#..##....##....#',
  '#..##.....##...#',
  '#..##.....##...#',
  '#..##....##....#',
  '#..#######.....#',
  '#..............#',
  '#..............#',
  '#..............#',
  '################',
];
const SIZE = 16;
/** BGRA: the brand's dark blue, and white for the letter. */
const BLUE = [0x8a, 0x4a, 0x1e, 0xff];
const WHITE = [0xff, 0xff, 0xff, 0xff];

function buildIco(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  // BMP rows run bottom-up.
  PATTERN.forEach((row, y) => {
    [...row].forEach((cell, x) => {
      pixels.set(cell === '.' ? BLUE : WHITE, ((SIZE - 1 - y) * SIZE + x) * 4);
    });
  });
  const andMask = Buffer.alloc(SIZE * 4); // 1 bit per pixel, rows padded to 32 bits; all opaque
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0); // BITMAPINFOHEADER size
  header.writeInt32LE(SIZE, 4);
  header.writeInt32LE(SIZE * 2, 8); // ICO images count the AND mask in the height
  header.writeUInt16LE(1, 12); // planes
  header.writeUInt16LE(32, 14); // bits per pixel
  header.writeUInt32LE(pixels.length + andMask.length, 20);
  const image = Buffer.concat([header, pixels, andMask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(SIZE, 6);
  dir.writeUInt8(SIZE, 7);
  dir.writeUInt16LE(1, 10); // planes
  dir.writeUInt16LE(32, 12); // bits per pixel
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(dir.length, 18); // offset of the image
  return Buffer.concat([dir, image]);
}

export const FAVICON_ICO: Buffer = buildIco();
