import { DEFAULT_BINDABLE_ROLES, checkBindableRoles } from '@flotilla/cluster-access';
import { badInput } from '../common/domain.errors';

/**
 * Where a cluster's credential may go and what its agent may grant: the rules attach and update
 * share. (Field formats — URL, token, PEM — are checked by the input validation; these are the
 * trust decisions on top of them.)
 */

/**
 * The CA to verify the API server with. Without caData the worker verifies against the system
 * roots only, and only when the caller said so: a forgotten CA must not quietly mean "trust
 * whatever certificate a public CA signed for that name".
 */
export function trustRootsFor(caPem: string | null, useSystemTrustRoots: boolean | null | undefined, prefix = 'input'): string | null {
  if (caPem && useSystemTrustRoots) throw badInput(`${prefix}.useSystemTrustRoots`, 'cannot be combined with caData: give one way to verify the API server');
  if (!caPem && !useSystemTrustRoots) {
    throw badInput(
      `${prefix}.caData`,
      "is required: the API server's CA bundle (base64 PEM), or useSystemTrustRoots: true when its certificate chains to the system's public roots",
    );
  }
  return caPem;
}

/** The attach-time list of ClusterRoles the agent may bind: default view, edit, admin; cluster-admin only when asked for. */
export function bindableRolesFor(roles: string[] | null | undefined, allowClusterAdmin: boolean | null | undefined, prefix = 'input'): string[] {
  const checked = checkBindableRoles(roles ?? DEFAULT_BINDABLE_ROLES, allowClusterAdmin === true);
  if ('problem' in checked) throw badInput(`${prefix}.bindableRoles`, `${checked.problem}${/opt-in/.test(checked.problem) ? ' (allowClusterAdminBinding: true)' : ''}`);
  return checked.roles;
}
