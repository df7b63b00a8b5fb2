import { type ReregistrationNotice, noticeText } from '@shared';

/**
 * Text messages to buyers, the way Chinese SMS services take them: a registered template and its
 * parameters, never free text (the operator's signature and the template are approved in advance).
 */
export type SmsTemplate = 'verification_code' | 'order_update' | ReregistrationTemplate;

/** The notices of a re-registration campaign (补登记). */
export type ReregistrationTemplate = ReregistrationNotice;

export interface SmsMessage {
  /** A mainland mobile number, 11 digits. */
  to: string;
  template: SmsTemplate;
  /**
   * `verification_code`: code, minutes. `order_update`: ref (the order's short reference), event.
   * Re-registration notices: tail (the number's last four digits), deadline or stop (a date), link.
   */
  params: Record<string, string>;
}

/**
 * `unavailable` and `rate_limited` may be sent again later; `invalid_number` (not a number in
 * service) and `blocked` (the number refused messages from the operator) will not change.
 */
export type NotifierErrorCode = 'unavailable' | 'rate_limited' | 'invalid_number' | 'blocked';

export class NotifierError extends Error {
  constructor(
    readonly code: NotifierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotifierError';
  }

  get retryable(): boolean {
    return this.code === 'unavailable' || this.code === 'rate_limited';
  }
}

export interface NotifierPort {
  /** Sends one message; resolves with the service's id of it. */
  send(message: SmsMessage): Promise<{ messageId: string }>;
}

/** The text of each template, as the operator registers it with the SMS service (and the sandbox shows it). */
export function renderSms(signature: string, message: SmsMessage): string {
  const p = message.params;
  const what: Record<string, string> = {
    approved: '已通过审核，我们将尽快发货',
    rejected: '未通过审核，请打开订单页查看原因',
    review: '已转人工审核，结果将短信通知您',
    shipped: '已发货，快递员上门时将查验您的身份证原件',
    shipped_unactivated: '已发货，收到后请在线完成身份核验以激活',
    activated: '号码已开通，欢迎使用',
    returned: '号卡已退回，订单已关闭',
  };
  switch (message.template) {
    case 'verification_code':
      return `【${signature}】您的验证码为 ${p.code ?? ''}，${p.minutes ?? ''} 分钟内有效。如非本人操作，请忽略本短信。`;
    case 'order_update':
      return `【${signature}】您的号卡订单 ${p.ref ?? ''} ${what[p.event ?? ''] ?? '状态已更新'}。`;
    case 'reregistration_notice':
    case 'reregistration_reminder':
    case 'reregistration_suspended':
    case 'reregistration_final':
      return `【${signature}】${noticeText(message.template, { tail: p.tail ?? '', deadline: p.deadline ?? '', stop: p.stop ?? '', link: p.link ?? '' }, 'zh-CN')}`;
  }
}
