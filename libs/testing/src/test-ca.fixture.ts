/**
 * A real, self-signed X.509 certificate (its key was thrown away) for tests that attach clusters
 * nobody dials: caData must parse as a certificate, and this one does until 2126.
 */
export const TEST_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBjDCCATOgAwIBAgIUK6ZeBVC2pN4IJWJyTX/n8KeAVUQwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQZmxvdGlsbGEtdGVzdC1jYTAgFw0yNjEyMDIwMzEyMzRaGA8y
MTI2MTEwODAzMTIzNFowGzEZMBcGA1UEAwwQZmxvdGlsbGEtdGVzdC1jYTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABGWJuRikhGPp1+YOilKCRAai6oq4fB+ZOkks
qvrpmKr4Ciu3/IMnDvKrmRIrpI9AQfygLd8Ij36gLY4+AxcJ7pujUzBRMB0GA1Ud
DgQWBBTLotPUV6585hf+wDBzKMsMtr98sjAfBgNVHSMEGDAWgBTLotPUV6585hf+
wDBzKMsMtr98sjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIFam
FFPD5/XVxOvKInBeoSwnZcms5vlX1QzAqJ2ZBswBAiAj0rc74wN2L3TmDlmw/FxE
O9SBAMj1NokgHgVmSnTQLA==
-----END CERTIFICATE-----
`;

/** As a kubeconfig's certificate-authority-data carries it. */
export const TEST_CA_DATA = Buffer.from(TEST_CA_PEM).toString('base64');
