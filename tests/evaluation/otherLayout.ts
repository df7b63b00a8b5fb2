/**
 * A second card layout, drawn apart from the specimen generator (bff/src/sandbox/mockId/cardSvg.ts) so
 * that OCR is measured on cards it was not tuned on: another typeface (WenQuanYi Zen Hei, and DejaVu
 * Sans Mono for the number), other sizes and positions, spaced labels, the birth date in one colour,
 * twelve characters to an address line instead of eleven, closer lines, another background.
 */
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import type { EmblemSide, PortraitSide } from '@shared';
import { CARD_PX } from '../../bff/src/sandbox/mockId/layout.js';
import { escapeXml as x, svgDocument } from '../../bff/src/sandbox/mockId/svg.js';

export const OTHER_FONT = 'WenQuanYi Zen Hei';
const FONT = `'${OTHER_FONT}', sans-serif`;
const MONO = "'DejaVu Sans Mono', monospace";
export const OTHER_ADDRESS_LINE_CHARS = 12;
const ADDRESS_LINES = 3;

const W = CARD_PX.width;
const H = CARD_PX.height;
const px = (fx: number): number => Math.round(fx * W);
const py = (fy: number): number => Math.round(fy * H);

/** Where this layout puts the holder's photo. */
const PHOTO = { left: px(0.6), top: py(0.1), width: px(0.31), height: py(0.6) };

/** Without its typeface fontconfig would draw the card in the generator's font, and the layout would not be other. */
export function assertOtherFont(): void {
  const families = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (!families.includes(OTHER_FONT)) throw new Error(`the ${OTHER_FONT} font is not installed: run \`npm run setup\` (installs fonts-wqy-zenhei)`);
}

const label = (text: string, fx: number, fy: number): string =>
  `<text x="${px(fx)}" y="${py(fy)}" font-family="${FONT}" font-size="27" fill="#1d4e89" letter-spacing="12">${x(text)}</text>`;
const value = (text: string, fx: number, fy: number, size = 42, family = FONT): string =>
  `<text x="${px(fx)}" y="${py(fy)}" font-family="${family}" font-size="${size}" fill="#202020">${x(text)}</text>`;

function background(): string {
  const rings = Array.from({ length: 9 }, (_, i) => `<circle cx="${px(0.35)}" cy="${py(0.55)}" r="${60 + i * 55}" fill="none" stroke="#c9d9c4" stroke-width="2" stroke-opacity="0.5"/>`).join('');
  return `<defs><radialGradient id="paper" cx="0.4" cy="0.5" r="0.8">
    <stop offset="0" stop-color="#f6f4ee"/><stop offset="1" stop-color="#dfe8ea"/>
  </radialGradient></defs><rect width="${W}" height="${H}" rx="${py(0.05)}" fill="url(#paper)"/>${rings}`;
}

export function wrapOtherAddress(address: string): string[] {
  const chars = [...address];
  const lines: string[] = [];
  for (let i = 0; i < chars.length && lines.length < ADDRESS_LINES; i += OTHER_ADDRESS_LINE_CHARS) {
    lines.push(chars.slice(i, i + OTHER_ADDRESS_LINE_CHARS).join(''));
  }
  return lines;
}

function portraitSvg(card: PortraitSide): Buffer {
  const [year, month, day] = card.birthDate.split('-').map(Number);
  const address = wrapOtherAddress(card.address).map((line, i) => value(line, 0.19, 0.53 + i * 0.068, 40)).join('');
  return svgDocument(W, H, [
    background(),
    label('姓名', 0.06, 0.17), value(card.name, 0.19, 0.17, 46),
    label('性别', 0.06, 0.29), value(card.sex, 0.19, 0.29),
    label('民族', 0.33, 0.29), value(card.ethnicity, 0.45, 0.29),
    label('出生', 0.06, 0.41), value(`${year} 年 ${month} 月 ${day} 日`, 0.19, 0.41),
    label('住址', 0.06, 0.53), address,
    label('公民身份号码', 0.06, 0.9), value(card.idNumber, 0.37, 0.9, 44, MONO),
    `<text x="${px(0.96)}" y="${py(0.96)}" text-anchor="end" font-family="${FONT}" font-size="22" fill="#b3261e">样本</text>`,
  ].join(''));
}

function emblemSvg(card: EmblemSide): Buffer {
  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? 70 : 28;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${Math.round(px(0.13) + r * Math.cos(a))},${Math.round(py(0.24) + r * Math.sin(a))}`;
  }).join(' ');
  return svgDocument(W, H, [
    background(),
    `<circle cx="${px(0.13)}" cy="${py(0.24)}" r="110" fill="#b5121b"/><polygon points="${star}" fill="#e8b923"/>`,
    `<text x="${px(0.6)}" y="${py(0.22)}" text-anchor="middle" font-family="${FONT}" font-size="46" fill="#202020" letter-spacing="14">中华人民共和国</text>`,
    `<text x="${px(0.6)}" y="${py(0.45)}" text-anchor="middle" font-family="${FONT}" font-size="78" fill="#202020" letter-spacing="26">居民身份证</text>`,
    label('签发机关', 0.2, 0.74), value(card.issuingAuthority, 0.43, 0.74, 36),
    label('有效期限', 0.2, 0.86), value(card.validity, 0.43, 0.86, 36),
  ].join(''));
}

const roundCorners = (image: Buffer): Promise<Buffer> =>
  sharp(image)
    .composite([{ input: svgDocument(W, H, `<rect width="${W}" height="${H}" rx="${py(0.05)}" fill="#fff"/>`), blend: 'dest-in' }])
    .png()
    .toBuffer();

/** The portrait side in this layout, `idPhoto` (any size) fitted to its photo box. */
export async function renderOtherPortrait(card: PortraitSide, idPhoto: Buffer): Promise<Buffer> {
  const photo = await sharp(idPhoto).resize(PHOTO.width, PHOTO.height, { fit: 'cover' }).png().toBuffer();
  const drawn = await sharp(portraitSvg(card)).composite([{ input: photo, left: PHOTO.left, top: PHOTO.top }]).png().toBuffer();
  return roundCorners(drawn);
}

export async function renderOtherEmblem(card: EmblemSide): Promise<Buffer> {
  return roundCorners(await sharp(emblemSvg(card)).png().toBuffer());
}
