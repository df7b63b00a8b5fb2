/**
 * Geometry of the card, in fractions of its width and height (85.6 x 54 mm). Positions follow the
 * real card so that OCR and face checks see a realistic layout.
 */
export const CARD_MM = { width: 85.6, height: 54 } as const;

/** Pixels per millimetre of a rendered card: 1284 x 810 px, about a 380 dpi scan. */
export const PX_PER_MM = 15;
export const CARD_PX = { width: Math.round(CARD_MM.width * PX_PER_MM), height: Math.round(CARD_MM.height * PX_PER_MM) };

/** Where the holder's photo sits on the portrait side. */
export const PHOTO_REGION = { x0: 0.62, x1: 0.91, y0: 0.17, y1: 0.73 } as const;

/** Characters per address line before the card wraps it. */
export const ADDRESS_LINE_CHARS = 11;
export const ADDRESS_MAX_LINES = 3;

export const FONT_FAMILY = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif";
export const MONO_FONT_FAMILY = "'WenQuanYi Micro Hei Mono', 'Noto Sans Mono CJK SC', monospace";

export const COLORS = {
  label: '#2f5d8c',
  text: '#161616',
  specimen: '#d0021b',
  surface: '#3b3d40',
} as const;
