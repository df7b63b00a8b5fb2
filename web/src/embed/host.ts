import { LOCALES, type Locale } from '../i18n/index.js';

/**
 * The flow embedded in an authorised agent's storefront: the agent it sells for, the host page's
 * origin (checked against the agent's registered sites), and the look the host asked for. Kept for
 * the tab, so a reload inside the frame stays embedded.
 */
export interface EmbedContext {
  agent: string;
  /** The operator's signed session naming the agent for the site framing this one: the orders started here are the agent's. */
  session: string;
  parentOrigin: string;
  theme: Theme;
  locale?: Locale;
}

/** What a host may set of the look: colours, corner radius, font. */
export interface Theme {
  primary?: string;
  text?: string;
  background?: string;
  radius?: string;
  font?: string;
}

/** What the host page hears, by postMessage to its own origin only. Order ids, steps and codes; nothing of the buyer. */
export type HostEvent = 'started' | 'step' | 'submitted' | 'approved' | 'rejected' | 'review' | 'error';

const KEY = 'embed';
const COLOUR = /^#[0-9a-fA-F]{3,8}$/;
const THEME_VARS: Record<keyof Theme, string> = {
  primary: '--sim-color-primary', text: '--sim-color-text', background: '--sim-color-background', radius: '--sim-radius', font: '--sim-font',
};

export function embedContext(): EmbedContext | undefined {
  const saved = sessionStorage.getItem(KEY);
  return saved ? (JSON.parse(saved) as EmbedContext) : undefined;
}

export function enterEmbed(context: EmbedContext): void {
  sessionStorage.setItem(KEY, JSON.stringify(context));
  applyTheme(context.theme);
}

/** The origin of the page this frame is in: exact where the browser tells it, else from the referrer. */
export function hostOrigin(): string | undefined {
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? undefined;
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

/** The agent session the operator put in this page when one of the agent's sites framed it. */
export function agentSessionInPage(): string | undefined {
  return document.querySelector('meta[name="sim-agent-session"]')?.getAttribute('content') ?? undefined;
}

/** The theme and locale a host asked for in the embed address; anything malformed is ignored. */
export function readHostSettings(query: URLSearchParams): { theme: Theme; locale?: Locale } {
  const theme: Theme = {};
  for (const key of ['primary', 'text', 'background'] as const) {
    const value = query.get(key);
    if (value && COLOUR.test(value)) theme[key] = value;
  }
  const radius = query.get('radius');
  if (radius && /^\d{1,2}$/.test(radius)) theme.radius = `${radius}px`;
  const font = query.get('font');
  if (font && /^[\w\s,'"-]{1,120}$/.test(font)) theme.font = font;
  const locale = query.get('locale');
  return { theme, ...((LOCALES as readonly string[]).includes(locale ?? '') ? { locale: locale as Locale } : {}) };
}

export function applyTheme(theme: Theme): void {
  for (const [key, variable] of Object.entries(THEME_VARS)) {
    const value = theme[key as keyof Theme];
    if (value) document.documentElement.style.setProperty(variable, value);
  }
}

/** Tells the host page what happened, if this flow is embedded; never to any other origin. */
export function tellHost(type: HostEvent, data: Record<string, string> = {}): void {
  const context = embedContext();
  if (!context || window.parent === window) return;
  window.parent.postMessage({ source: 'sim-verification', type, ...data }, context.parentOrigin);
}
