import { codedError, ErrorCode } from '../errors.js';
import { requestClaims, requestService } from './claims.js';
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
  /**
   * Another subgraph reading what it needs to know (whose an order is), signed as
   * `extensions.service`, never a client. Such a request may only read: the
   * subgraph server refuses its mutations and subscriptions.
   */
  service?: string;
}

export function viewerOf(claims: Claims | undefined, enforced: boolean, service?: string): Viewer {
  const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
  return {
    enforced,
    userId: typeof claims?.sub === 'string' ? claims.sub.toLowerCase() : undefined,
    admin: scopes.includes(ADMIN_SCOPE),
    ...(service ? { service } : {}),
  };
}

/** Who a request is for, from what the subgraph server recorded after checking its signature. */
export function requestViewer(request: object, enforced: boolean): Viewer {
  return viewerOf(requestClaims(request), enforced, requestService(request));
}

/**
 * What only its owner (or an admin) may see or do: UNAUTHENTICATED without a
 * user, FORBIDDEN for another user. The gateway's directives cannot know whose
 * order it is; the owning subgraph checks here. A signed service identity reads
 * anything (it can only read).
 */
export function requireOwnerOrAdmin(viewer: Viewer, ownerId: string, what: string): void {
  if (!viewer.enforced || viewer.admin || viewer.service) return;
  if (!viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in user`);
  if (viewer.userId !== ownerId.toLowerCase()) throw codedError(ErrorCode.Forbidden, `${what} belongs to another user`);
}

/**
 * Whose events or rows a viewer may see when no owner is named: undefined for
 * an admin (or an unchecked service: everyone's), else the viewer's own id.
 * UNAUTHENTICATED without a user. Subscriptions filter their events by it.
 */
export function visibleOwner(viewer: Viewer, what: string): string | undefined {
  if (!viewer.enforced || viewer.admin) return undefined;
  if (!viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in user`);
  return viewer.userId;
}

/**
 * What only an admin may do, checked in the subgraph as well as by the
 * gateway's `@requiresScopes` (a request that reached the subgraph without
 * them, for example through another gateway, is refused here too):
 * UNAUTHENTICATED without a token, FORBIDDEN without the admin scope.
 */
export function requireAdmin(viewer: Viewer, what: string): void {
  if (!viewer.enforced || viewer.admin) return;
  if (!viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in admin`);
  throw codedError(ErrorCode.Forbidden, `${what} needs the ${ADMIN_SCOPE} scope`);
}

/**
 * The signed-in user a write is made by: UNAUTHENTICATED without one. When
 * ownership is not enforced (no signing secret) the caller is trusted and
 * this returns the token's user, if any.
 */
export function requireSignedIn(viewer: Viewer, what: string): string | undefined {
  if (viewer.enforced && !viewer.userId) throw codedError(ErrorCode.Unauthenticated, `${what} needs a signed-in user`);
  return viewer.userId;
}
