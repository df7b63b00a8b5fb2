import { stringify } from 'csv-stringify/sync';
import { type Dashboard, type DashboardDay, type DashboardQuery, startOfDayInChina } from '@shared';
import { AppError } from '../errors.js';
import type { MonitoringDb } from './monitoring.db.js';

const DAY_MS = 86_400_000;
/** The longest period the dashboard shows at once (a quarter). */
const MAX_DAYS = 92;

/** The China day (`YYYY-MM-DD`) of a day number counted from the epoch in China time. */
const dayName = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/**
 * The dashboard: day by day, orders submitted, approved, refused and sent to a person, five-card
 * refusals, alerts and cases reported; the refusals by reason and the review backlog; for every channel or one.
 */
export class DashboardService {
  readonly #db: MonitoringDb;

  constructor(db: MonitoringDb) {
    this.#db = db;
  }

  async dashboard(query: DashboardQuery): Promise<Dashboard> {
    const from = startOfDayInChina(query.from);
    const to = startOfDayInChina(query.to) + DAY_MS;
    const count = (to - from) / DAY_MS;
    if (count > MAX_DAYS) throw new AppError('validation_failed', `a period of at most ${MAX_DAYS} days`, 400);
    const channels = await this.#db.channels();
    const channel = query.channel ? channels.find((c) => c.agentNumber === query.channel) : undefined;
    if (query.channel && !channel) throw new AppError('not_found', 'no such channel', 404);

    const first = Math.floor((from + 8 * 3_600_000) / DAY_MS);
    const days: DashboardDay[] = Array.from({ length: count }, (_, i) => ({ day: dayName(first + i), submitted: 0, approved: 0, refused: 0, review: 0, fiveCards: 0, alerts: 0, cases: 0 }));
    const at = (dayNumber: number): DashboardDay | undefined => days[dayNumber - first];
    const field = { submitted: 'submitted', approved: 'approved', rejected: 'refused', review: 'review' } as const;
    for (const step of await this.#db.stepsByDay(from, to, channel?.id)) {
      const key = field[step.state as keyof typeof field];
      const entry = at(step.day);
      if (key && entry) entry[key] += step.n;
    }
    const refusalsByReason: Record<string, number> = {};
    for (const refusal of await this.#db.refusals(from, to, channel?.id)) {
      const reasons = refusal.decision ? (JSON.parse(refusal.decision) as { reasons?: string[] }).reasons ?? [] : [];
      for (const reason of reasons) refusalsByReason[reason] = (refusalsByReason[reason] ?? 0) + 1;
      const entry = at(Math.floor((refusal.at + 8 * 3_600_000) / DAY_MS));
      if (entry && reasons.includes('card_cap_reached')) entry.fiveCards += 1;
    }
    // Alerts are about the whole operation: shown whatever the channel.
    for (const alerts of await this.#db.alertsByDay(from, to)) {
      const entry = at(alerts.day);
      if (entry) entry.alerts += alerts.n;
    }
    for (const cases of await this.#db.casesByDay(from, to, channel?.id)) {
      const entry = at(cases.day);
      if (entry) entry.cases += cases.n;
    }
    return {
      from: query.from, to: query.to, ...(channel ? { channel: channel.agentNumber } : {}), days, refusalsByReason,
      reviewBacklog: await this.#db.reviewBacklog(channel?.id),
      channels: channels.map((c) => ({ agentNumber: c.agentNumber, name: c.name })),
    };
  }

  /** The same figures as a CSV file, a row per day (a channel's name is never read as a formula). */
  async csv(query: DashboardQuery): Promise<string> {
    const data = await this.dashboard(query);
    return stringify([
      ['day', 'channel', 'submitted', 'approved', 'refused', 'review', 'five_card_refusals', 'alerts', 'cases'],
      ...data.days.map((d) => [d.day, data.channel ?? 'all', d.submitted, d.approved, d.refused, d.review, d.fiveCards, d.alerts, d.cases]),
    ], { escape_formulas: true });
  }
}
