// Input rules, one file per concept, pure: every value a client sends is checked by one of these
// before anything is stored or queried. Each refusal is an InputValidationError naming the field.
export { InputValidationError } from './input-validation.error';
export { UUID_PATTERN, isUuid } from './ids';
export { CLUSTER_NAME_MAX, DNS_LABEL_MAX, DNS_SUBDOMAIN_MAX, clusterName, dnsLabel, dnsSubdomain, isDnsLabel, isDnsSubdomain } from './dns-name';
export { URL_MAX, apiServerUrl } from './url';
export type { ApiServerUrlOptions } from './url';
export { TOKEN_MAX, TOKEN_MIN, bearerToken, tokenExpiry } from './token';
export { CA_CERTIFICATES_MAX, CA_DATA_MAX, caBundle } from './pem-certificate';
export { LABELS_MAX, LABEL_NAME_MAX, isLabelKey, isLabelValue, kubeLabels, labelKeyProblem } from './labels';
export { description, displayName, plainText, policyName, textProblem } from './display-text';
export type { TextBounds } from './display-text';
export { VERSION_MAX, VERSION_PART_MAX, kubeRelease, kubeVersion } from './kube-version';
export { CURSOR_MAX, decodeCursor, encodeCursor } from './page-cursor';
export type { CursorPart, CursorShape } from './page-cursor';
