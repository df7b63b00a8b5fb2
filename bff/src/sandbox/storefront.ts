import { randomBytes } from 'node:crypto';
import { scriptJson } from '../http/headers.js';

/**
 * A demo storefront of an authorised agent, for trying the embedding: the unified mark, the flow
 * embedded both ways (web component, and a plain iframe), and what the flow tells the page. Served by
 * the sandbox at /demo/storefront; open it on another host name than the flow's (127.0.0.1 against
 * localhost) to see it cross-origin, as a real storefront is.
 */
export function storefrontPage({ operatorUrl, agent, way }: { operatorUrl: string; agent: string; way: 'component' | 'iframe' }): { html: string; csp: string } {
  const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const nonce = randomBytes(16).toString('base64');
  const operator = new URL(operatorUrl).origin;
  // A storefront's own CSP, as a careful shop would have: its inline code by nonce, the operator's
  // script, frame, API and the mark's logo by origin.
  const csp = [
    "default-src 'self'", `script-src 'nonce-${nonce}' ${operator}`, `style-src 'nonce-${nonce}'`, `connect-src ${operator}`,
    `frame-src ${operator}`, `img-src 'self' data: ${operator}`, "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; ');
  const base = esc(operatorUrl);
  const agentAttr = esc(agent);
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>示例网店 · Demo storefront</title>
<style nonce="${nonce}">
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #fff7f0; color: #222; }
  header { padding: 12px 16px; background: #d4380d; color: #fff; display: flex; justify-content: space-between; align-items: center; }
  main { max-width: 760px; margin: 0 auto; padding: 16px; }
  .way { margin: 16px 0; }
  sim-verification, iframe { display: block; box-sizing: border-box; width: 100%; height: 760px; border: 1px solid #eee; border-radius: 8px; overflow: hidden; background: #fff; }
  #log { font: 12px/1.4 ui-monospace, monospace; background: #222; color: #cfc; padding: 8px; border-radius: 6px; min-height: 3em; white-space: pre-wrap; }
</style>
<script type="module" src="${base}/embed.js" nonce="${nonce}"></script>
</head>
<body>
<header><strong>示例网店</strong><sim-agent-mark agent="${agentAttr}"></sim-agent-mark></header>
<main>
  <p>Buy a SIM card here: the operator's real-name verification runs inside this page.</p>
  <p>Embedded as: ${way === 'component' ? '<strong>web component</strong> · <a href="?way=iframe">iframe</a>' : '<a href="?way=component">web component</a> · <strong>iframe</strong>'}</p>
  <div class="way">
    ${way === 'component'
    ? `<sim-verification agent="${agentAttr}" locale="zh-CN" primary="#d4380d" radius="6"></sim-verification>`
    : `<!-- allow="camera": the flow photographs the ID card and runs the live check inside the frame. -->
    <iframe src="${base}/embed?agent=${encodeURIComponent(agent)}&amp;locale=en&amp;primary=%231d7a46" allow="camera" referrerpolicy="origin" title="SIM real-name verification"></iframe>`}
  </div>
  <h3>Events from the flow (guidance only: the outcome comes to the shop's server by signed webhook)</h3>
  <div id="log" data-testid="events"></div>
</main>
<script nonce="${nonce}">
  const log = document.getElementById('log');
  const events = (window.simEvents = []);
  const record = (type, detail) => {
    events.push({ type, ...detail });
    log.textContent += type + ' ' + JSON.stringify(detail) + '\\n';
  };
  for (const type of ['started', 'step', 'submitted', 'approved', 'rejected', 'review', 'error']) {
    document.addEventListener('sim:' + type, (e) => record(type, e.detail));
  }
  // The iframe way: messages straight from the operator's frame, checked by origin and source.
  const iframe = document.querySelector('main > .way > iframe');
  if (iframe) {
    window.addEventListener('message', (e) => {
      if (e.origin !== ${scriptJson(operator)} || e.source !== iframe.contentWindow || e.data?.source !== 'sim-verification') return;
      record(e.data.type, e.data);
    });
  }
</script>
</body>
</html>
`;
  return { html, csp };
}
