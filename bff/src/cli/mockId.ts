import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CalendarDate } from '@shared';
import { SANDBOX_IDENTITIES } from '../providers/authority/sandbox.js';
import { ADDRESS_LINE_CHARS, ADDRESS_MAX_LINES } from '../sandbox/mockId/layout.js';
import { MOCK_IMAGE_KINDS, type MockCardOptions, type MockImageKind, generateMockCard, writeMockCard } from '../sandbox/mockId/index.js';

const USAGE = `Usage: npm run mock-id -- --face <photo> --out <dir> [options]

Writes portrait-side.jpg, emblem-side.jpg, handheld.jpg and identity.json: a specimen resident ID
card (marked 样本 / SPECIMEN) for the person in <photo>, and that person holding it.

Identity
  --sandbox <n>          print sandbox identity n, known to the mock national-ID service
                         (--list-sandbox shows them and the answer each one rehearses)
  --seed <text>          same seed, same card (default: specimen)
  --name <name>          print this name
  --address <address>    print this address (up to 33 characters: three lines of the card)
  --id-number <number>   print this number (birth date, sex and region follow from it)
  --sex male|female
  --invalid-checksum     a number whose check character is wrong
  --expired              validity ended before today
  --long-term            valid for life (长期); the holder was 46+ at issue
  --today <YYYY-MM-DD>   the date the card is judged on (default: today in China)
  --card-face <photo>    print another person's photo on the card
  --pasted-face <photo>  glue a photo print of this person over the card's portrait (a forged card)
  --pasted-background photo|white|blue|red|none
                         the glued print's background (default: the photo's own; none: cut
                         out along the person's outline)

Capture faults (applied to all three images unless --effects-on says otherwise)
  --rotate <degrees>     --blur <sigma>     --glare     --low-res <long side px, default 480>
  --crop <share>         cut this share of the width off the right (0.15: the card runs out of the frame)
  --photocopy            a black-and-white copy of the card photographed instead of the card
  --screen               the card shown on a screen and photographed from it (翻拍: moiré, the panel's colours)
  --effects-on <list>    comma-separated: portrait,emblem,handheld
`;

function fail(message: string): never {
  process.stderr.write(`mock-id: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseDate(text: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) fail(`--today must be YYYY-MM-DD, got ${text}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) fail(`${flag} needs a number, got ${text}`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        face: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' },
        'id-number': { type: 'string' }, sex: { type: 'string' }, 'invalid-checksum': { type: 'boolean' },
        expired: { type: 'boolean' }, 'long-term': { type: 'boolean' }, today: { type: 'string' },
        'card-face': { type: 'string' }, 'pasted-face': { type: 'string' }, 'pasted-background': { type: 'string' }, rotate: { type: 'string' }, blur: { type: 'string' },
        glare: { type: 'boolean' }, 'low-res': { type: 'string' }, crop: { type: 'string' }, photocopy: { type: 'boolean' }, screen: { type: 'boolean' },
        'effects-on': { type: 'string' },
        sandbox: { type: 'string' }, 'list-sandbox': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowNegative: false,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args['list-sandbox']) {
    SANDBOX_IDENTITIES.forEach((s, i) => process.stdout.write(`${i}  ${s.name}  ${s.idNumber}  ${s.outcome}: ${s.note}\n`));
    return;
  }
  const sandbox = args.sandbox === undefined ? undefined : SANDBOX_IDENTITIES[Number(args.sandbox)];
  if (args.sandbox !== undefined && !sandbox) fail(`--sandbox takes 0 to ${SANDBOX_IDENTITIES.length - 1} (see --list-sandbox)`);
  if (sandbox && (args.name || args['id-number'])) fail('--sandbox sets the name and number; leave out --name and --id-number');
  if (!args.face || !args.out) fail('--face and --out are required');
  if (args.address !== undefined && [...args.address].length > ADDRESS_LINE_CHARS * ADDRESS_MAX_LINES) {
    fail(`--address holds at most ${ADDRESS_LINE_CHARS * ADDRESS_MAX_LINES} characters (the card's three lines)`);
  }
  if (args.sex !== undefined && args.sex !== 'male' && args.sex !== 'female') fail('--sex must be male or female');
  const effectsOn = args['effects-on']?.split(',').map((s) => s.trim());
  if (effectsOn?.some((kind) => !(MOCK_IMAGE_KINDS as readonly string[]).includes(kind))) {
    fail(`--effects-on takes ${MOCK_IMAGE_KINDS.join(', ')}`);
  }

  const backgrounds = ['photo', 'white', 'blue', 'red', 'none'] as const;
  const background = args['pasted-background'] as (typeof backgrounds)[number] | undefined;
  if (background !== undefined && !backgrounds.includes(background)) fail(`--pasted-background takes ${backgrounds.join(', ')}`);
  if (background !== undefined && !args['pasted-face']) fail('--pasted-background needs --pasted-face');

  const today = args.today ? parseDate(args.today) : undefined;
  const lowRes = args['low-res'];
  const effects = {
    rotate: parseNumber('--rotate', args.rotate),
    blur: parseNumber('--blur', args.blur),
    glare: Boolean(args.glare),
    photocopy: Boolean(args.photocopy),
    screen: Boolean(args.screen),
    crop: parseNumber('--crop', args.crop),
    lowResolution: lowRes === undefined ? undefined : (parseNumber('--low-res', lowRes || '480') ?? 480),
  };
  const options: MockCardOptions = {
    face: await readFile(args.face),
    ...(args['card-face'] ? { cardFace: await readFile(args['card-face']) } : {}),
    ...(args.seed ? { seed: args.seed } : {}),
    ...(args.name ? { name: args.name } : {}),
    ...(args.address ? { address: args.address } : {}),
    ...(args['id-number'] ? { idNumber: args['id-number'] } : {}),
    ...(sandbox ? { name: sandbox.name, idNumber: sandbox.idNumber } : {}),
    ...(args.sex ? { sex: args.sex } : {}),
    ...(today ? { today } : {}),
    invalidChecksum: Boolean(args['invalid-checksum']),
    expired: Boolean(args.expired),
    longTerm: Boolean(args['long-term']),
    effects,
    ...(effectsOn ? { effectsOn: effectsOn as MockImageKind[] } : {}),
    ...(args['pasted-face'] ? { pasted: { face: await readFile(args['pasted-face']), ...(background ? { background } : {}), shadow: true, turn: 0.8 } } : {}),
  };
  const card = await generateMockCard(options);
  const written = await writeMockCard(card, args.out, {
    generatedWith: { seed: options.seed ?? 'specimen', face: path.basename(args.face), cardFace: args['card-face'] ? path.basename(args['card-face']) : null },
  });
  process.stdout.write(`${written.join('\n')}\n`);
  const { idNumberReasons, validityReasons } = card.identity.expected;
  process.stdout.write(`expected: ${[...idNumberReasons, ...validityReasons].join(', ') || 'valid'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-id: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
