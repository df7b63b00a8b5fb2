import type { CampaignKind, MemberStage, RealNamePoint, RegistrationStatus } from '@shared';
import { changed } from '../providers/db/database.js';
import { Tables } from '../providers/db/tables.js';

export type LineService = 'active' | 'suspended' | 'stopped';

/** A subscriber as imported from billing: never a name or an ID number, only the five-card key. */
export interface SubscriberRow {
  msisdn: string;
  iccid: string;
  registration: RegistrationStatus;
  channel: string;
  holder_key: string | null;
  service: LineService;
  imported_at: number;
  updated_at: number;
}


export interface CampaignRow {
  id: string;
  name: string;
  kind: CampaignKind;
  /** JSON: the registration statuses the campaign is for. */
  selection: string;
  starts_at: number;
  deadline_at: number;
  /** JSON: ms before the deadline of each reminder. */
  remind_before: string;
  grace_ms: number;
  final_reminder_after_ms: number;
  stop_after_ms: number;
  created_by: string;
  created_at: number;
}

export interface CampaignMemberRow {
  campaign_id: string;
  msisdn: string;
  stage: MemberStage;
  reminders_sent: number;
  stage_at: number;
  due_at: number | null;
}

export interface CampaignStepRow {
  campaign_id: string;
  msisdn: string;
  step: string;
  detail: string | null;
  at: number;
}

/** Numbers in service under one identity from which all of them are checked again (452号 一(三)). */
export const FIVE_CARDS = 5;

/** Subscribers, campaigns, their members and every step taken. */
export class CampaignsDb extends Tables {
  /** Adds or updates subscribers (by number), in one transaction. */
  async upsertSubscribers(rows: readonly SubscriberRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.database.transaction(this.db, async (trx) => {
      await trx.insertInto('subscribers').values([...rows]).onConflict((oc) => oc.column('msisdn').doUpdateSet((eb) => ({
        iccid: eb.ref('excluded.iccid'),
        registration: eb.ref('excluded.registration'),
        channel: eb.ref('excluded.channel'),
        holder_key: eb.ref('excluded.holder_key'),
        updated_at: eb.ref('excluded.updated_at'),
      }))).execute();
    });
  }

  /** Of these cards, the ones another number holds already, with that number. */
  async cardsHeld(iccids: readonly string[]): Promise<Map<string, string>> {
    if (iccids.length === 0) return new Map();
    const rows = await this.db.selectFrom('subscribers').select(['iccid', 'msisdn']).where('iccid', 'in', [...iccids]).execute();
    return new Map(rows.map((r) => [r.iccid, r.msisdn]));
  }

  async subscriber(msisdn: string): Promise<SubscriberRow | undefined> {
    return this.db.selectFrom('subscribers').selectAll().where('msisdn', '=', msisdn).executeTakeFirst();
  }

  /** The lines in service under one identity (its five-card key), as billing knows them. */
  async linesOf(holderKey: string): Promise<SubscriberRow[]> {
    return this.db.selectFrom('subscribers').selectAll().where('holder_key', '=', holderKey).where('service', '<>', 'stopped').orderBy('msisdn').limit(50).execute();
  }

  async setSubscriber(msisdn: string, change: Partial<Pick<SubscriberRow, 'registration' | 'service' | 'holder_key'>>, now: number): Promise<void> {
    await this.db.updateTable('subscribers').set({ ...change, updated_at: now }).where('msisdn', '=', msisdn).execute();
  }

  /**
   * A new campaign and its members, at once: every subscriber in service whose registration it is
   * for; for a five-card campaign, only the numbers of identities holding five or more.
   */
  async createCampaign(row: CampaignRow, statuses: readonly RegistrationStatus[]): Promise<number> {
    return this.database.transaction(this.db, async (trx) => {
      await trx.insertInto('campaigns').values(row).execute();
      const added = await trx.insertInto('campaign_members')
        .columns(['campaign_id', 'msisdn', 'stage', 'reminders_sent', 'stage_at', 'due_at'])
        .expression((eb) => {
          const chosen = eb.selectFrom('subscribers')
            .select((s) => [s.val(row.id).as('campaign_id'), 'msisdn', s.val('selected').as('stage'), s.val(0).as('reminders_sent'), s.val(row.created_at).as('stage_at'), s.val(row.starts_at).as('due_at')])
            .where('registration', 'in', [...statuses]).where('service', '!=', 'stopped');
          // 452号 一(三): every number of an identity holding five or more in service, checked one by one.
          return row.kind === 'five_cards'
            ? chosen.where('holder_key', 'in', eb.selectFrom('subscribers').select('holder_key').where('holder_key', 'is not', null)
              .where('service', '!=', 'stopped').groupBy('holder_key').having((h) => h.fn.countAll(), '>=', FIVE_CARDS))
            : chosen;
        })
        .executeTakeFirst();
      return Number(added.numInsertedOrUpdatedRows ?? 0);
    });
  }

  async campaign(id: string): Promise<CampaignRow | undefined> {
    return this.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Members whose next step is due, soonest first. */
  async due(now: number, limit: number): Promise<CampaignMemberRow[]> {
    return this.db.selectFrom('campaign_members').selectAll().where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();
  }

  async member(campaignId: string, msisdn: string): Promise<CampaignMemberRow | undefined> {
    return this.db.selectFrom('campaign_members').selectAll().where('campaign_id', '=', campaignId).where('msisdn', '=', msisdn).executeTakeFirst();
  }

  /** The campaigns a number is in and not settled in. */
  async openMemberships(msisdn: string, settled: readonly MemberStage[]): Promise<CampaignMemberRow[]> {
    return this.db.selectFrom('campaign_members').selectAll().where('msisdn', '=', msisdn).where('stage', 'not in', [...settled]).execute();
  }

  /**
   * Moves a member on from the stage it was read at (false if another process moved it first), logs
   * the step and, when the line changed, the subscriber's service: all or nothing.
   */
  async advance(from: CampaignMemberRow, to: Omit<CampaignMemberRow, 'campaign_id' | 'msisdn'>, step: Omit<CampaignStepRow, 'campaign_id' | 'msisdn'>, service?: LineService): Promise<boolean> {
    return this.database.transaction(this.db, async (trx) => {
      const moved = changed(await trx.updateTable('campaign_members').set(to)
        .where('campaign_id', '=', from.campaign_id).where('msisdn', '=', from.msisdn)
        .where('stage', '=', from.stage).where('reminders_sent', '=', from.reminders_sent).executeTakeFirst()) === 1;
      if (!moved) return false;
      await trx.insertInto('campaign_steps').values({ ...step, campaign_id: from.campaign_id, msisdn: from.msisdn }).execute();
      if (service) await trx.updateTable('subscribers').set({ service, updated_at: step.at }).where('msisdn', '=', from.msisdn).execute();
      return true;
    });
  }

  /**
   * Takes a due member for one sweep until `until` (false if another sweep, here or in another
   * process, took it first): a notice is sent once, not once per sweep that read it.
   */
  async claim(member: CampaignMemberRow, until: number): Promise<boolean> {
    if (member.due_at === null) return false;
    return changed(await this.db.updateTable('campaign_members').set({ due_at: until })
      .where('campaign_id', '=', member.campaign_id).where('msisdn', '=', member.msisdn).where('due_at', '=', member.due_at).executeTakeFirst()) === 1;
  }

  /** Puts off a member's next step (a service that did not answer): tried again then. */
  async postpone(member: CampaignMemberRow, until: number): Promise<void> {
    await this.db.updateTable('campaign_members').set({ due_at: until })
      .where('campaign_id', '=', member.campaign_id).where('msisdn', '=', member.msisdn).where('stage', '=', member.stage).execute();
  }

  async steps(campaignId: string, msisdn: string): Promise<CampaignStepRow[]> {
    return this.db.selectFrom('campaign_steps').select(['campaign_id', 'msisdn', 'step', 'detail', 'at'])
      .where('campaign_id', '=', campaignId).where('msisdn', '=', msisdn).orderBy('id').execute();
  }

  async campaigns(): Promise<CampaignRow[]> {
    return this.db.selectFrom('campaigns').selectAll().orderBy('created_at', 'desc').execute();
  }

  /** How many subscribers in service are at each registration status. */
  async base(): Promise<Partial<Record<RegistrationStatus, number>>> {
    const rows = await this.db.selectFrom('subscribers').select(['registration', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('service', '!=', 'stopped').groupBy('registration').execute();
    return Object.fromEntries(rows.map((r) => [r.registration, Number(r.n)]));
  }

  /** Records a day's figures for a scope (`base`, or a campaign's id); a later record of the day replaces it. */
  async recordDay(scope: string, point: RealNamePoint): Promise<void> {
    await this.db.insertInto('real_name_days').values({ scope, ...point })
      .onConflict((oc) => oc.columns(['scope', 'day']).doUpdateSet((eb) => ({ total: eb.ref('excluded.total'), registered: eb.ref('excluded.registered') }))).execute();
  }

  /** A scope's figures, day by day. */
  async history(scope: string): Promise<RealNamePoint[]> {
    return this.db.selectFrom('real_name_days').select(['day', 'total', 'registered']).where('scope', '=', scope).orderBy('day').execute();
  }

  /** How many of each step a campaign took within [from, until). */
  async stepCounts(campaignId: string, from: number, until: number): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('campaign_steps').select(['step', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('campaign_id', '=', campaignId).where('at', '>=', from).where('at', '<', until).groupBy('step').execute();
    return Object.fromEntries(rows.map((r) => [r.step, Number(r.n)]));
  }

  /** How many members are at each stage. */
  async progress(campaignId: string): Promise<Partial<Record<MemberStage, number>>> {
    const rows = await this.db.selectFrom('campaign_members').select(['stage', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('campaign_id', '=', campaignId).groupBy('stage').execute();
    return Object.fromEntries(rows.map((r) => [r.stage, Number(r.n)]));
  }
}
