import { parseArgs } from 'node:util';
import { STAFF_ROLES, type StaffRole, createStaffRequestSchema } from '@shared';
import { AppError } from '../errors.js';
import { StaffDb } from '../staff/staff.db.js';
import { StaffService } from '../staff/staffService.js';
import { openStores, usageError } from './stores.js';

const USAGE = `Usage:
  npm run staff -- add <username> --name <full name> --role <role> [--role <role> ...]
  npm run staff -- reset <username>
  npm run staff -- list

Roles: ${STAFF_ROLES.join(', ')}.

add makes a console account and prints its one-time password once: the person signs in with it at
/console, sets their own password and links an authenticator app (TOTP). The first administrator is
made this way; administrators add everyone else in the console. reset gives an account a new one-time
password (a lost authenticator, a lock-out) and ends its sessions. Every change is recorded as made
by "cli". Uses the data of DATA_DIR (default ./data), or DATABASE_URL.
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string', multiple: true }, help: { type: 'boolean' } },
});
if (values.help || positionals.length === 0) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
const fail = (message: string): never => usageError('staff', message, USAGE);
const [command, username] = positionals;

const { config, db, envelope } = await openStores();
const staff = new StaffService({ db: new StaffDb(db.database), envelope, now: Date.now, settings: { ...config.staff, issuer: config.operator.name } });
const CLI = { id: 'cli', username: 'cli', name: 'cli', roles: ['administrator' as StaffRole], token: '' };
try {
  if (command === 'list') {
    for (const a of await staff.list()) process.stdout.write(`${a.username}\t${a.status}\t${a.roles.join(',')}\t${a.name}\n`);
  } else if (command === 'add') {
    const parsed = createStaffRequestSchema.safeParse({ username, name: values.name, roles: values.role ?? [] });
    if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join('.') || 'username'}: ${i.message}`).join('; '));
    else {
      const { account, oneTimePassword } = await staff.add(parsed.data, 'cli');
      process.stdout.write(`Account ${account.username} (${account.roles.join(', ')}) added. One-time password, shown this once:\n${oneTimePassword}\n`);
    }
  } else if (command === 'reset') {
    const account = (await staff.list()).find((a) => a.username === username);
    if (!account) fail(`no account named ${username ?? ''} (see list)`);
    else {
      const { oneTimePassword } = await staff.reset(account.id, CLI);
      process.stdout.write(`Account ${account.username} reset: its sessions ended. One-time password, shown this once:\n${oneTimePassword}\n`);
    }
  } else {
    fail(`unknown command ${command ?? ''}`);
  }
} catch (error) {
  if (!(error instanceof AppError)) throw error;
  process.stderr.write(`staff: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await db.close();
}
