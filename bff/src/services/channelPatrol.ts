import { DomUtils, parseDocument } from 'htmlparser2';
import type { PatrolOutcome } from '@shared';
import type { ChannelRow, ChannelsDb } from '../providers/db/channels.db.js';

/** Time a page gets to answer, and the most of it read. */
const PAGE_TIMEOUT_MS = 10_000;
const MAX_PAGE_BYTES = 2 * 2 ** 20;

export interface PatrolDeps {
  channels: ChannelsDb;
  /** Where the operator's site answers: a genuine mark is its web component, loaded from here. */
  publicUrl: string;
  /** How often the patrol goes round (hours); 0: never on its own. */
  intervalHours: number;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

export interface PatrolFinding {
  agentNumber: string;
  page: string;
  outcome: PatrolOutcome;
  detail?: string;
}

/**
 * The patrol of the agents' pages: each active agent's registered pages (or its sites' home pages)
 * fetched as a browser would, and whether they show the genuine mark: the operator's web component
 * for this agent, from the operator's own address (a picture of a mark, or another agent's, is not it).
 * What it finds is kept and shown in the console.
 */
export class ChannelPatrol {
  readonly #d: PatrolDeps;
  #running: Promise<PatrolFinding[]> | undefined;

  constructor(deps: PatrolDeps) {
    this.#d = deps;
  }

  /** Goes round when the last round is older than the interval (any process's round counts). */
  async patrolIfDue(): Promise<PatrolFinding[]> {
    if (this.#d.intervalHours <= 0) return [];
    const last = await this.#d.channels.lastPatrolAt();
    if (last !== undefined && this.#d.now() - last < this.#d.intervalHours * 3_600_000) return [];
    return this.patrol();
  }

  /** One round over every active agent's pages (one round at a time). */
  async patrol(): Promise<PatrolFinding[]> {
    this.#running ??= this.#round((await this.#d.channels.list()).filter((r) => r.status === 'active')).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** One agent's pages, now (a channel manager checking on it). */
  async patrolAgent(row: ChannelRow): Promise<PatrolFinding[]> {
    return this.#round([row]);
  }

  async #round(agents: readonly ChannelRow[]): Promise<PatrolFinding[]> {
    const findings: PatrolFinding[] = [];
    for (const row of agents) {
      for (const page of pagesOf(row)) {
        const finding = await this.#look(row, page);
        await this.#d.channels.patrolled({ channel_id: row.id, page, outcome: finding.outcome, detail: finding.detail ?? null, at: this.#d.now() });
        findings.push(finding);
      }
    }
    const missing = findings.filter((f) => f.outcome !== 'mark_shown').length;
    this.#d.log('info', `patrol: ${findings.length} agent page(s) looked at, ${missing} without the genuine mark`);
    return findings;
  }

  async #look(row: ChannelRow, page: string): Promise<PatrolFinding> {
    const base = { agentNumber: row.agent_number, page };
    let html: string;
    try {
      const res = await fetch(page, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS), redirect: 'follow', headers: { accept: 'text/html' } });
      if (!res.ok) return { ...base, outcome: 'unreachable', detail: `HTTP ${res.status}` };
      html = (await readCapped(res)).toString('utf8');
    } catch (error) {
      return { ...base, outcome: 'unreachable', detail: error instanceof Error ? error.name : 'error' };
    }
    const document = parseDocument(html);
    const marks = DomUtils.findAll((e) => e.name === 'sim-agent-mark', document.children).map((e) => e.attribs.agent ?? '');
    const embedJs = new URL('/embed.js', this.#d.publicUrl).href;
    const operatorScript = DomUtils.findAll((e) => e.name === 'script', document.children)
      .some((e) => resolves(e.attribs.src, page) === embedJs);
    if (marks.includes(row.agent_number) && operatorScript) return { ...base, outcome: 'mark_shown' };
    if (marks.some((agent) => agent !== row.agent_number)) return { ...base, outcome: 'mark_of_another', detail: marks.filter((a) => a !== row.agent_number).join(' ').slice(0, 100) };
    return { ...base, outcome: 'mark_missing', ...(marks.length > 0 ? { detail: 'the mark without the operator\'s script' } : {}) };
  }
}

/** The pages registered for an agent, or its sites' home pages. */
function pagesOf(row: ChannelRow): string[] {
  const pages = row.pages ? JSON.parse(row.pages) as string[] : [];
  return pages.length > 0 ? pages : (JSON.parse(row.origins) as string[]).map((origin) => `${origin}/`);
}

/** An address as the page resolves it, if it is one. */
function resolves(src: string | undefined, page: string): string | undefined {
  try {
    return src ? new URL(src, page).href : undefined;
  } catch {
    return undefined;
  }
}

/** A response's body, up to the cap (a page larger than that is judged on its first part). */
async function readCapped(res: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= MAX_PAGE_BYTES) break;
  }
  return Buffer.concat(chunks);
}
