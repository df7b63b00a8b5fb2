import { type AuthorityOutcome } from './authority.port.js';
import { composeIdNumber } from '@shared';

/**
 * Identities the mock national-ID service knows. QA prints specimen cards with them
 * (`npm run mock-id -- --sandbox N`) and chooses the outcome by the identity they pick. A number
 * not listed here has no record; a listed number with another name is a mismatch.
 */
export interface SandboxIdentity {
  name: string;
  idNumber: string;
  /** What the service answers for this identity; `match` unless a fault is being rehearsed. */
  outcome: AuthorityOutcome;
  /** Three-element check: the portrait on record matches any photo, unless it `differs`. */
  portrait?: 'differs';
  /** Cards this person already holds with the operator through other channels (the five-card cap). */
  existingCards?: number;
  note: string;
}

const id = (region: string, year: number, month: number, day: number, sequence: string): string =>
  composeIdNumber(region, { year, month, day }, sequence);

export const SANDBOX_IDENTITIES: readonly SandboxIdentity[] = [
  { name: '张伟', idNumber: id('110105', 1988, 3, 12, '031'), outcome: 'match', note: 'matches' },
  { name: '王芳', idNumber: id('310104', 1992, 7, 8, '042'), outcome: 'match', note: 'matches' },
  { name: '李娜', idNumber: id('440305', 1985, 11, 23, '126'), outcome: 'match', note: 'matches' },
  { name: '刘洋', idNumber: id('510107', 1979, 1, 30, '215'), outcome: 'match', note: 'matches' },
  { name: '陈静', idNumber: id('330106', 1995, 5, 17, '088'), outcome: 'match', note: 'matches' },
  { name: '杨磊', idNumber: id('420102', 1969, 9, 4, '017'), outcome: 'match', note: 'matches; born 1969, so a 长期 card fits' },
  { name: '赵敏', idNumber: id('370102', 2001, 12, 1, '064'), outcome: 'no_photo', note: 'record without a portrait' },
  { name: '黄强', idNumber: id('320106', 1990, 6, 6, '133'), outcome: 'source_error', note: 'the service fails' },
  { name: '周杰', idNumber: id('350102', 1987, 2, 14, '151'), outcome: 'rate_limited', note: 'the service refuses: too many requests' },
  { name: '吴刚', idNumber: id('230103', 1983, 8, 19, '175'), outcome: 'match', portrait: 'differs', note: 'name and number match; the portrait on record is someone else' },
  { name: '孙丽', idNumber: id('610103', 1991, 4, 27, '086'), outcome: 'match', existingCards: 5, note: 'already holds five cards: refused at submission' },
  { name: '马超', idNumber: id('450103', 1986, 10, 9, '113'), outcome: 'match', existingCards: 4, note: 'holds four cards: one more is allowed' },
  { name: '上官赟', idNumber: id('110108', 1993, 5, 21, '072'), outcome: 'match', note: 'a name with a character (赟) the card reader does not know: read short, to review, where a person corrects it' },
];

export function findSandboxIdentity(idNumber: string): SandboxIdentity | undefined {
  return SANDBOX_IDENTITIES.find((entry) => entry.idNumber === idNumber);
}
