/**
 * embed.js: what an authorised agent's storefront loads to sell with this flow.
 *
 *   <script type="module" src="https://<operator>/embed.js"></script>
 *   <sim-agent-mark agent="AG-0001"></sim-agent-mark>
 *   <sim-verification agent="AG-0001" locale="zh-CN" primary="#d4380d" radius="8"></sim-verification>
 *
 * <sim-verification> frames the flow (with the camera allowed to it) and re-dispatches what the flow
 * tells its host as DOM events (`sim:started`, `sim:step`, `sim:submitted`, `sim:approved`,
 * `sim:rejected`, `sim:review`, `sim:error`), only when they come from the operator's frame. They
 * guide the page; the storefront's server learns outcomes from the signed webhooks and the API.
 * <sim-agent-mark> shows the operator's unified mark for the agent (the operator's name and logo, the
 * agent's details and scope), with the QR code that checks it.
 * Nothing else is loaded here: the flow's own code and face models load inside the frame, when needed.
 */
import { renderSVG } from 'uqr';

const OPERATOR = new URL(import.meta.url).origin;
const THEME_ATTRIBUTES = ['primary', 'text', 'background', 'radius', 'font'] as const;

interface Mark {
  operator: string;
  logoUrl: string;
  agent: { agentNumber: string; name: string; licenceNumber: string; scope: string[]; authorised: boolean };
  verifyUrl: string;
}

class SimVerification extends HTMLElement {
  #frame?: HTMLIFrameElement;
  readonly #onMessage = (event: MessageEvent): void => {
    const data = event.data as { source?: string; type?: string } | null;
    if (event.origin !== OPERATOR || event.source !== this.#frame?.contentWindow || data?.source !== 'sim-verification' || !data.type) return;
    this.dispatchEvent(new CustomEvent(`sim:${data.type}`, { detail: data, bubbles: true, composed: true }));
  };

  connectedCallback(): void {
    const src = new URL('/embed', OPERATOR);
    src.searchParams.set('agent', this.getAttribute('agent') ?? '');
    const locale = this.getAttribute('locale') ?? document.documentElement.lang;
    if (locale) src.searchParams.set('locale', locale);
    for (const name of THEME_ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value) src.searchParams.set(name, value);
    }
    const frame = document.createElement('iframe');
    frame.src = src.href;
    // The flow photographs the ID card and runs the live check: the frame needs the camera.
    frame.allow = 'camera';
    // The frame's request names this page's origin (never its path): the operator checks it is one of
    // the agent's sites before the flow's orders are the agent's.
    frame.referrerPolicy = 'origin';
    frame.title = this.getAttribute('title') ?? 'SIM real-name verification';
    frame.style.cssText = 'border:0;width:100%;height:100%;min-height:720px;display:block';
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    root.replaceChildren(frame);
    this.#frame = frame;
    window.addEventListener('message', this.#onMessage);
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.#onMessage);
  }
}

/** What an agent is entrusted with, as the mark says it (the console's words). */
const SCOPES: Record<string, string> = { sim_sale: '号卡销售', number_porting: '携号转网', plan_change: '套餐变更' };

class SimAgentMark extends HTMLElement {
  async connectedCallback(): Promise<void> {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const agent = this.getAttribute('agent') ?? '';
    // The operator answers only the agent's registered sites, known by Origin, or by Referer where a
    // same-origin GET sends no Origin: ask for the page's origin as Referer, whatever the page's policy.
    const res = await fetch(new URL(`/api/agents/${encodeURIComponent(agent)}/mark`, OPERATOR), { referrerPolicy: 'origin' }).catch(() => undefined);
    if (!res?.ok) {
      root.textContent = '';
      return;
    }
    const mark = (await res.json()) as Mark;
    const box = document.createElement('a');
    box.href = mark.verifyUrl;
    box.target = '_blank';
    box.rel = 'noopener';
    box.style.cssText = 'display:inline-flex;gap:12px;align-items:center;padding:8px 12px;border:1px solid #c9d3e0;border-radius:8px;color:inherit;text-decoration:none;font:13px/1.4 system-ui,sans-serif';
    const qr = document.createElement('span');
    qr.style.cssText = 'width:84px;height:84px;display:block';
    qr.innerHTML = renderSVG(mark.verifyUrl, { pixelSize: 3, border: 1 });
    // Through CSSOM, not a style attribute: a storefront's CSP without 'unsafe-inline' allows it.
    const svg = qr.querySelector('svg');
    if (svg) svg.style.cssText = 'width:100%;height:100%';
    const logo = document.createElement('img');
    // From where this script came, as the mark itself was asked for (the storefront's CSP names that origin).
    logo.src = new URL(new URL(mark.logoUrl).pathname, OPERATOR).href;
    logo.alt = mark.operator;
    logo.width = 40;
    logo.height = 40;
    const text = document.createElement('span');
    const line = (value: string, bold = false): HTMLElement => {
      const el = document.createElement(bold ? 'strong' : 'span');
      el.textContent = value;
      el.style.display = 'block';
      return el;
    };
    const scope = mark.agent.scope.map((s) => SCOPES[s] ?? s).join('、');
    text.append(
      line(`${mark.operator} 授权代理商`, true), line(mark.agent.name), line(`编号 ${mark.agent.agentNumber}`),
      line(`统一社会信用代码 ${mark.agent.licenceNumber}`), line(`授权范围 ${scope}`), line('扫码核验'),
    );
    box.append(logo, qr, text);
    root.replaceChildren(box);
  }
}

if (!customElements.get('sim-verification')) customElements.define('sim-verification', SimVerification);
if (!customElements.get('sim-agent-mark')) customElements.define('sim-agent-mark', SimAgentMark);
