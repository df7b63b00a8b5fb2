import type { EmblemSide, PortraitSide } from '@shared';
import { ADDRESS_LINE_CHARS, ADDRESS_MAX_LINES, CARD_PX, COLORS, FONT_FAMILY, MONO_FONT_FAMILY } from './layout.js';
import { escapeXml as x, svgDocument } from './svg.js';

const W = CARD_PX.width;
const H = CARD_PX.height;
const px = (fx: number): number => Math.round(fx * W);
const py = (fy: number): number => Math.round(fy * H);

function label(text: string, fx: number, fy: number, size = 30): string {
  return `<text x="${px(fx)}" y="${py(fy)}" font-family="${FONT_FAMILY}" font-size="${size}" fill="${COLORS.label}" letter-spacing="4">${x(text)}</text>`;
}

function value(text: string, fx: number, fy: number, size = 40, family = FONT_FAMILY): string {
  return `<text x="${px(fx)}" y="${py(fy)}" font-family="${family}" font-size="${size}" fill="${COLORS.text}">${x(text)}</text>`;
}

/** Pale security print: fine wave lines under the text, faint enough not to disturb reading. */
function guilloche(): string {
  const lines: string[] = [];
  for (let i = 0; i < 14; i += 1) {
    const y0 = py(0.05 + i * 0.07);
    let d = `M 0 ${y0}`;
    for (let xPos = 0; xPos <= W; xPos += 24) {
      d += ` L ${xPos} ${Math.round(y0 + 9 * Math.sin((xPos / W) * Math.PI * 6 + i))}`;
    }
    lines.push(`<path d="${d}" fill="none" stroke="#b9cfd6" stroke-width="1.5" stroke-opacity="0.55"/>`);
  }
  return lines.join('');
}

function background(): string {
  return `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="#e6eff0"/><stop offset="0.55" stop-color="#f3f1ea"/><stop offset="1" stop-color="#ecefe6"/>
  </linearGradient></defs>
  <rect width="${W}" height="${H}" rx="${py(0.06)}" fill="url(#bg)"/>${guilloche()}`;
}

/** The specimen mark: red, boxed, in both scripts, where no field is printed. */
function specimenStamp(fx0: number, fy0: number): string {
  const w = px(0.32);
  const h = py(0.11);
  return `<g transform="translate(${px(fx0)} ${py(fy0)})">
    <rect width="${w}" height="${h}" rx="10" fill="#ffffff" fill-opacity="0.55" stroke="${COLORS.specimen}" stroke-width="5"/>
    <text x="${w / 2}" y="${h * 0.7}" text-anchor="middle" font-family="${FONT_FAMILY}" font-size="${Math.round(h * 0.55)}" font-weight="bold" fill="${COLORS.specimen}">样本 SPECIMEN</text>
  </g>`;
}

export function wrapAddress(address: string): string[] {
  const lines: string[] = [];
  const chars = [...address];
  for (let i = 0; i < chars.length && lines.length < ADDRESS_MAX_LINES; i += ADDRESS_LINE_CHARS) {
    lines.push(chars.slice(i, i + ADDRESS_LINE_CHARS).join(''));
  }
  return lines;
}

/** The portrait side without its photo (composited separately at PHOTO_REGION). */
export function portraitSideSvg(card: PortraitSide): Buffer {
  const [year, month, day] = card.birthDate.split('-').map(Number);
  const birth = `<text x="${px(0.18)}" y="${py(0.44)}" font-family="${FONT_FAMILY}" font-size="40" fill="${COLORS.text}">${year}<tspan font-size="30" fill="${COLORS.label}" dx="12">年</tspan><tspan dx="16">${month}</tspan><tspan font-size="30" fill="${COLORS.label}" dx="12">月</tspan><tspan dx="16">${day}</tspan><tspan font-size="30" fill="${COLORS.label}" dx="12">日</tspan></text>`;
  const address = wrapAddress(card.address).map((line, i) => value(line, 0.18, 0.56 + i * 0.075)).join('');
  return svgDocument(W, H, [
    background(),
    label('姓名', 0.07, 0.2), value(card.name, 0.18, 0.2),
    label('性别', 0.07, 0.32), value(card.sex, 0.18, 0.32),
    label('民族', 0.3, 0.32), value(card.ethnicity, 0.41, 0.32),
    label('出生', 0.07, 0.44), birth,
    label('住址', 0.07, 0.56), address,
    label('公民身份号码', 0.07, 0.88), value(card.idNumber, 0.33, 0.88, 46, MONO_FONT_FAMILY),
    specimenStamp(0.6, 0.035),
  ].join(''));
}

/** A stylised, clearly non-official emblem: a red disc with a gold star and ring. */
function emblem(): string {
  const cx = px(0.15);
  const cy = py(0.25);
  const r = py(0.15);
  const star = Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r * 0.55 : r * 0.22;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${Math.round(cx + radius * Math.cos(angle))},${Math.round(cy + radius * Math.sin(angle))}`;
  }).join(' ');
  return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="#c8102e"/><circle cx="${cx}" cy="${cy}" r="${r * 0.86}" fill="none" stroke="#f2c14e" stroke-width="6"/><polygon points="${star}" fill="#f2c14e"/>`;
}

export function emblemSideSvg(card: EmblemSide): Buffer {
  return svgDocument(W, H, [
    background(),
    emblem(),
    `<text x="${px(0.32)}" y="${py(0.24)}" font-family="${FONT_FAMILY}" font-size="50" fill="${COLORS.text}" letter-spacing="8">中华人民共和国</text>`,
    `<text x="${px(0.5)}" y="${py(0.5)}" text-anchor="middle" font-family="${FONT_FAMILY}" font-size="86" font-weight="bold" fill="${COLORS.text}" letter-spacing="20">居民身份证</text>`,
    label('签发机关', 0.22, 0.76), value(card.issuingAuthority, 0.4, 0.76, 38),
    label('有效期限', 0.22, 0.88), value(card.validity, 0.4, 0.88, 38),
    specimenStamp(0.64, 0.58),
  ].join(''));
}
