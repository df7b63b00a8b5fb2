import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import type { EmblemSide, PortraitSide } from '@shared';
import type { FaceBox } from '../../engine/face/faceModels.js';
import { MAX_INPUT_PIXELS } from '../../engine/image.js';
import { emblemSideSvg, portraitSideSvg } from './cardSvg.js';
import { CARD_PX, COLORS, PHOTO_REGION } from './layout.js';
import { svgDocument } from './svg.js';

const PHOTO_PX = {
  left: Math.round(PHOTO_REGION.x0 * CARD_PX.width),
  top: Math.round(PHOTO_REGION.y0 * CARD_PX.height),
  width: Math.round((PHOTO_REGION.x1 - PHOTO_REGION.x0) * CARD_PX.width),
  height: Math.round((PHOTO_REGION.y1 - PHOTO_REGION.y0) * CARD_PX.height),
};

const open = (image: Buffer): Sharp => sharp(image, { limitInputPixels: MAX_INPUT_PIXELS });

/**
 * Crops a head-and-shoulders ID photo around a detected face, as the card's photo standard frames it
 * (the face about half the height), padding with the edge colour where the source is too tight.
 */
export async function cropIdPhoto(source: Buffer, face: FaceBox): Promise<Buffer> {
  const upright = await open(source).rotate().toBuffer({ resolveWithObject: true });
  const { width: srcW, height: srcH } = upright.info;
  const height = face.height / 0.5;
  const width = (height * PHOTO_PX.width) / PHOTO_PX.height;
  const left = Math.round(face.x + face.width / 2 - width / 2);
  const top = Math.round(face.y + face.height / 2 - height * 0.47);
  const right = Math.round(left + width);
  const bottom = Math.round(top + height);

  const inside = {
    left: Math.max(0, left),
    top: Math.max(0, top),
    width: Math.min(srcW, right) - Math.max(0, left),
    height: Math.min(srcH, bottom) - Math.max(0, top),
  };
  // sharp extends after resizing whatever the call order, so framing and scaling are two passes.
  const framed = await sharp(upright.data)
    .extract(inside)
    .extend({
      left: inside.left - left,
      top: inside.top - top,
      right: Math.max(0, right - srcW),
      bottom: Math.max(0, bottom - srcH),
      extendWith: 'copy',
    })
    .png()
    .toBuffer();
  return sharp(framed).resize(PHOTO_PX.width, PHOTO_PX.height, { fit: 'cover' }).png().toBuffer();
}

function roundedMask(width: number, height: number, radius: number): Buffer {
  return svgDocument(width, height, `<rect width="${width}" height="${height}" rx="${radius}" fill="#fff"/>`);
}

async function finishCard(svg: Buffer, layers: OverlayOptions[]): Promise<Buffer> {
  return sharp(svg)
    .composite([...layers, { input: roundedMask(CARD_PX.width, CARD_PX.height, Math.round(CARD_PX.height * 0.06)), blend: 'dest-in' }])
    .png()
    .toBuffer();
}

/** The portrait side as a PNG with transparent rounded corners. */
export async function renderPortraitCard(card: PortraitSide, idPhoto: Buffer): Promise<Buffer> {
  return finishCard(portraitSideSvg(card), [{ input: idPhoto, left: PHOTO_PX.left, top: PHOTO_PX.top }]);
}

/**
 * A photo print glued over the card's portrait: a little larger than the portrait (it must hide it),
 * askew by `turn` degrees, off by `shift`, and, lying on the card, casting a thin shadow if asked.
 */
export async function pastePrint(cardPng: Buffer, print: Buffer, { turn = 0, shift = [0, 0], shadow = false }: { turn?: number; shift?: [number, number]; shadow?: boolean }): Promise<Buffer> {
  const clear = { r: 0, g: 0, b: 0, alpha: 0 };
  const size = { width: Math.round(PHOTO_PX.width * 1.04), height: Math.round(PHOTO_PX.height * 1.04) };
  const turned = await sharp(print).resize(size.width, size.height, { fit: 'fill' }).ensureAlpha().rotate(turn, { background: clear }).png().toBuffer({ resolveWithObject: true });
  const left = Math.round(PHOTO_PX.left + PHOTO_PX.width / 2 + shift[0] * PHOTO_PX.width - turned.info.width / 2);
  const top = Math.round(PHOTO_PX.top + PHOTO_PX.height / 2 + shift[1] * PHOTO_PX.height - turned.info.height / 2);
  const layers: OverlayOptions[] = [];
  if (shadow) {
    // The print's own outline, dark and soft, two pixels down and right.
    const outline = await sharp(turned.data).extractChannel(3).toBuffer();
    const dark = await sharp({ create: { width: turned.info.width, height: turned.info.height, channels: 3, background: '#000' } })
      .joinChannel(await sharp(outline).linear(0.35, 0).blur(1.5).toBuffer())
      .png()
      .toBuffer();
    layers.push({ input: dark, left: left + 2, top: top + 2 });
  }
  layers.push({ input: turned.data, left, top });
  return sharp(cardPng).composite(layers).png().toBuffer();
}

export async function renderEmblemCard(card: EmblemSide): Promise<Buffer> {
  return finishCard(emblemSideSvg(card), []);
}

/** A photograph of the card lying on a dark desk, as a buyer's upload would look. */
export async function photographCard(cardPng: Buffer): Promise<Buffer> {
  const margin = Math.round(CARD_PX.width * 0.06);
  return sharp(cardPng)
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: COLORS.surface })
    .flatten({ background: COLORS.surface })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * The buyer holding the card: the source photo, the person's face large, the card in the lower part of
 * the frame beside the chin, slightly tilted, with a thumb over its corner.
 */
export async function renderHandheld(source: Buffer, face: FaceBox, cardPng: Buffer): Promise<Buffer> {
  const upright = await open(source).rotate().toBuffer({ resolveWithObject: true });
  const { width: W, height: H } = upright.info;

  const cardWidth = Math.round(Math.min(W * 0.48, face.width * 1.9));
  const tilted = await sharp(cardPng)
    .resize({ width: cardWidth })
    .rotate(-5, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer({ resolveWithObject: true });
  const cw = tilted.info.width;
  const ch = tilted.info.height;

  // Beside the face where there is room, otherwise under it; never over it.
  const faceCentre = face.x + face.width / 2;
  const leftSpace = face.x;
  const rightSpace = W - (face.x + face.width);
  let left = faceCentre < W / 2 ? Math.min(W - cw, face.x + face.width * 0.9) : Math.max(0, face.x + face.width * 0.1 - cw);
  if (Math.max(leftSpace, rightSpace) < cw * 0.6) left = Math.max(0, Math.min(W - cw, faceCentre - cw / 2));
  let top = Math.min(H - ch, face.y + face.height * 1.15);
  if (top < face.y + face.height * 0.9 && Math.max(leftSpace, rightSpace) < cw * 0.6) top = H - ch;
  left = Math.round(Math.max(0, left));
  top = Math.round(Math.max(0, top));

  const thumbW = Math.round(cw * 0.16);
  const thumb = svgDocument(thumbW, Math.round(thumbW * 1.5), `<ellipse cx="${thumbW / 2}" cy="${thumbW * 0.75}" rx="${thumbW * 0.42}" ry="${thumbW * 0.7}" fill="#d9a383" stroke="#b07a5c" stroke-width="3"/>`);

  return sharp(upright.data)
    .composite([
      { input: tilted.data, left, top },
      { input: thumb, left: left + Math.round(cw * 0.03), top: Math.min(H - Math.round(thumbW * 1.5), top + Math.round(ch * 0.78)) },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}
