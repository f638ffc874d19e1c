import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RequestError } from '../errors';

export type Role = 'clerk' | 'supervisor' | 'technician';

export interface UserRecord {
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
  secret: string;
}

export interface ApiSecurity {
  /** The desk software's bearer token; absent: desk calls need no token. */
  token?: string;
  users: readonly UserRecord[];
  /** How long a clerk's sign-in lasts. */
  sessionMs?: number;
}

/** Who is calling: the desk software (by its token), a signed-in user, or nobody known. */
export type Caller =
  | { kind: 'desk' }
  | { kind: 'user'; name: string; role: Role }
  | { kind: 'anonymous' };

const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32 };

function derive(secret: string, salt: Buffer, n: number, r: number, p: number, keylen: number):
  Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 128 * n * r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, keylen, options, (err, key) =>
      (err ? reject(err) : resolve(key)));
  });
}

/** A slow hash of a PIN or password, for the configuration's user list. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${
    key.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [tag, n, r, p, salt, hash] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(secret, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p),
    expected.length);
  return timingSafeEqual(key, expected);
}

/** Compares two tokens in time that does not depend on where they differ. */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Lengths are compared after a full comparison of equal-length buffers, so a wrong length
  // takes the same time as a wrong token of the right length.
  const padded = Buffer.alloc(b.length);
  a.copy(padded, 0, 0, Math.min(a.length, b.length));
  return timingSafeEqual(padded, b) && a.length === b.length;
}

/**
 * Sign-ins and the rules of who may do what. Sessions live in memory: a restart signs every
 * clerk out, which is the safe side for a shared counter.
 */
export class Gate {
  private readonly sessions = new Map<string, { name: string; role: Role; expires: number }>();
  private readonly dummy: Promise<string>;

  constructor(private readonly security: ApiSecurity, private readonly now = () => Date.now()) {
    // An unknown user name costs one scrypt too, so timing does not tell names apart.
    this.dummy = hashSecret(randomBytes(8).toString('hex'));
  }

  /** Whether callers must say who they are: a token or users are configured. */
  get required(): boolean {
    return this.security.token !== undefined || this.security.users.length > 0;
  }

  async check(name: string, secret: string): Promise<UserRecord> {
    const user = this.security.users.find((u) => u.name === name);
    const ok = await verifySecret(secret, user?.secret ?? await this.dummy);
    if (!user || !ok) throw new RequestError('UNAUTHORIZED', 'unknown user or wrong secret');
    return user;
  }

  async login(name: string, secret: string) {
    const user = await this.check(name, secret);
    const token = randomBytes(24).toString('base64url');
    const expires = this.now() + (this.security.sessionMs ?? 12 * 3_600_000);
    this.sessions.set(token, { name: user.name, role: user.role, expires });
    return { token, name: user.name, role: user.role, expiresAt: new Date(expires).toISOString() };
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  caller(request: FastifyRequest): Caller {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) return { kind: 'anonymous' };
    const token = match[1]!;
    if (this.security.token !== undefined && sameToken(token, this.security.token)) {
      return { kind: 'desk' };
    }
    const session = this.sessions.get(token);
    if (!session) return { kind: 'anonymous' };
    if (session.expires <= this.now()) {
      this.sessions.delete(token);
      return { kind: 'anonymous' };
    }
    return { kind: 'user', name: session.name, role: session.role };
  }

  /** Refuses a caller who is not known, where callers must be known. */
  requireCaller(request: FastifyRequest): Caller {
    const caller = this.caller(request);
    if (this.required && caller.kind === 'anonymous') {
      throw new RequestError('UNAUTHORIZED', 'a bearer token is required');
    }
    return caller;
  }

  /**
   * A supervisor's approval: a signed-in supervisor, or a supervisor's name and secret given
   * with the request (a clerk's session asking a supervisor to confirm at the desk).
   */
  async requireSupervisor(request: FastifyRequest,
    confirm?: { name: string; secret: string }): Promise<string> {
    const caller = this.requireCaller(request);
    if (caller.kind === 'user' && caller.role === 'supervisor') return caller.name;
    if (confirm) {
      const user = await this.check(confirm.name, confirm.secret);
      if (user.role === 'supervisor') return user.name;
    }
    throw new RequestError('FORBIDDEN', 'a supervisor must confirm this operation');
  }
}
