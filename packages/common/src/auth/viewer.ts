import { codedError, ErrorCode } from '../errors.js';
import { ADMIN_SCOPE, type Claims } from './tokens.js';

/** Who a subgraph request is for, from the claims the gateway forwarded and signed. */
export interface Viewer {
  /**
   * Whether ownership is checked: true when the service requires signed requests
   * (SUBGRAPH_SIGNING_SECRET), so the claims can be trusted and their absence means
   * an anonymous client. False for a service run alone without a secret.
   */
  enforced: boolean;
  /** The token's `sub`. */
  userId: string | undefined;
  /** The token has the admin scope. */
  admin: boolean;
}

export function viewerOf(claims: Claims | undefined, enforced: boolean): Viewer {
  const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
  return {
    enforced,
    userId: typeof claims?.sub === 'string' ? claims.sub.toLowerCase() : undefined,
    admin: scopes.includes(ADMIN_SCOPE),
  };
}

/**
 * What only its owner (or an admin) may see or do: UNAUTHENTICATED without a
 * user, FORBIDDEN for another user. The gateway's directives cannot know whose
 * order it is; the owning subgraph checks here.
 */
export function requireOwnerOrAdmin(viewer: Viewer, ownerId: string, what: string): void {
  if (!viewer.enforced || viewer.admin) return;
  if (!viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in user`);
  if (viewer.userId !== ownerId.toLowerCase()) throw codedError(ErrorCode.Forbidden, `${what} belongs to another user`);
}

/**
 * What only an admin may do, where the gateway's `@requiresScopes` cannot
 * decide (one mutation serves several kinds of owner): UNAUTHENTICATED
 * without a user, FORBIDDEN for a user without the admin scope.
 */
export function requireAdmin(viewer: Viewer, what: string): void {
  if (!viewer.enforced || viewer.admin) return;
  if (!viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in user`);
  throw codedError(ErrorCode.Forbidden, `${what} needs the admin scope`);
}
