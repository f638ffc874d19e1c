import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { hashSecret, verifySecret } from '../../src/api/auth';
import { ERROR_CATALOGUE } from '../../src/errors';
import { postJson, startApi, type RunningApi } from '../support/api';

const DESK_TOKEN = 'desk-0123456789abcdef';

/**
 * Who may call the counter API when a desk token and users are configured: the desk software
 * by its token, clerks and supervisors by their own PIN or password (scrypt hashes in the
 * configuration); nobody else, and a void needs a supervisor.
 */
describe('counter API sign-in', () => {
  let run: RunningApi;

  beforeAll(async () => {
    run = await startApi({ security: { token: DESK_TOKEN, users: [
      { name: 'lan', role: 'clerk', secret: await hashSecret('2468') },
      { name: 'minh', role: 'supervisor', secret: await hashSecret('mật khẩu 9') },
    ] } });
  });
  afterAll(async () => { await run?.close(); });

  const desk = { authorization: `Bearer ${DESK_TOKEN}` };
  const sale = { amount: 150_000, reference: 'HS-AUTH-1' };

  it('refuses a caller with no token or a wrong one, and charges nothing', async () => {
    const wrong: Record<string, string>[] = [{},
      { authorization: 'Bearer desk-0123456789abcdeX' }, { authorization: DESK_TOKEN }];
    for (const headers of wrong) {
      const refused = await postJson(run.base, '/v1/payments', sale, headers);
      expect(refused.status).toBe(401);
      expect((await refused.json() as { error: unknown }).error).toMatchObject({
        code: 'UNAUTHORIZED', vi: ERROR_CATALOGUE.UNAUTHORIZED.vi });
    }
    expect(run.app.journal.search({ limit: 1, offset: 0 }).total).toBe(0);
  });

  it('takes the payment from the desk software by its token', async () => {
    const made = await postJson(run.base, '/v1/payments', sale, desk);
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ status: 'approved', journalId: 1 });
  });

  it('signs a clerk in with their PIN, and refuses a wrong PIN and an unknown name alike',
    async () => {
      for (const wrong of [{ name: 'lan', secret: '1357' }, { name: 'nobody', secret: '2468' }]) {
        const refused = await postJson(run.base, '/v1/sessions', wrong);
        expect(refused.status).toBe(401);
      }
      const signedIn = await postJson(run.base, '/v1/sessions', { name: 'lan', secret: '2468' });
      expect(signedIn.status).toBe(201);
      const session = await signedIn.json() as { token: string; role: string };
      expect(session.role).toBe('clerk');
      const read = await fetch(`${run.base}/v1/payments/1`,
        { headers: { authorization: `Bearer ${session.token}` } });
      expect(read.status).toBe(200);

      // A clerk cannot void alone.
      const voided = await postJson(run.base, '/v1/payments/1/void', {},
        { authorization: `Bearer ${session.token}` });
      expect(voided.status).toBe(403);
      expect((await voided.json() as { error: { code: string } }).error.code).toBe('FORBIDDEN');

      // With a supervisor's confirmation the same clerk voids it: the bank approves the void
      // and the sale is voided; a second void is refused and sends nothing.
      const confirmed = await postJson(run.base, '/v1/payments/1/void',
        { supervisor: { name: 'minh', secret: 'mật khẩu 9' } },
        { authorization: `Bearer ${session.token}` });
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toMatchObject({ kind: 'void', status: 'approved',
        originalId: 1, amount: 150_000, responseCode: '00', stan: 2 });
      expect(run.app.journal.get(1)?.state).toBe('voided');
      const again = await postJson(run.base, '/v1/payments/1/void',
        { supervisor: { name: 'minh', secret: 'mật khẩu 9' } },
        { authorization: `Bearer ${session.token}` });
      expect(again.status).toBe(409);
      expect((await again.json() as { error: { code: string } }).error.code)
        .toBe('NOT_VOIDABLE');

      const out = await fetch(`${run.base}/v1/sessions/current`, { method: 'DELETE',
        headers: { authorization: `Bearer ${session.token}` } });
      expect(out.status).toBe(204);
      const after = await fetch(`${run.base}/v1/payments/1`,
        { headers: { authorization: `Bearer ${session.token}` } });
      expect(after.status).toBe(401);
    });
});

describe('quay user hash', () => {
  const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

  function hash(input: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(QUAY, ['user', 'hash'], (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
      child.stdin!.end(input);
    });
  }

  it('prints a scrypt hash of the PIN read from standard input, which verifies', async () => {
    const made = await hash('mật khẩu 9\n');
    expect(made.code).toBe(0);
    const stored = made.stdout.trim();
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('mật khẩu');
    expect(await verifySecret('mật khẩu 9', stored)).toBe(true);
    expect(await verifySecret('mật khẩu 8', stored)).toBe(false);
  });

  it('refuses a PIN shorter than four characters', async () => {
    const refused = await hash('12\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('REQUEST_INVALID');
  });
});
