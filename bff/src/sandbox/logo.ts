/**
 * The sandbox operator's logo, shown on agent marks until OPERATOR_LOGO names the operator's own
 * (production refuses to start without it). A plain SVG: no script, no external reference.
 */
export const SANDBOX_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="沙盒移动 Sandbox Mobile">
<rect width="64" height="64" rx="14" fill="#1f4e99"/>
<path d="M14 40c8-14 28-14 36 0" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/>
<circle cx="32" cy="44" r="5" fill="#fff"/>
<text x="32" y="24" text-anchor="middle" font-family="sans-serif" font-size="13" font-weight="700" fill="#fff">沙盒</text>
</svg>
`;
