import type { z } from 'zod';
import { isQuayError } from '../errors';
import { loadLayout } from '../iso8583/layouts';
import { macProfileProblems, type MacProfile } from '../iso8583/mac-profile';

/**
 * The host's MAC profile checked against its layout and framing, at start rather than at the
 * first payment. A layout given as a file path is checked when the link opens it (paths
 * resolve at run time); a host-profile name is read here.
 */
export function checkHostMac(host: { layout: string; tpdu?: string; mac?: MacProfile },
  ctx: z.RefinementCtx): void {
  if (!host.mac || !/^[A-Za-z0-9_-]+$/.test(host.layout)) return;
  let layout;
  try {
    layout = loadLayout(host.layout);
  } catch (err) {
    if (!isQuayError(err)) throw err;
    ctx.addIssue({ code: 'custom', path: ['layout'],
      message: `no host profile ${host.layout} in config/hosts/` });
    return;
  }
  for (const problem of macProfileProblems(host.mac, layout, { tpdu: host.tpdu !== undefined })) {
    ctx.addIssue({ code: 'custom', path: ['mac'], message: `${problem} (layout ${host.layout})` });
  }
}
