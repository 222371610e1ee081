// A local OpenID Connect provider for lc-health's single sign-on test (tests/sso): one client,
// the app, and two accounts, one whose address is verified and one whose address is not.
// oidc-provider's development sign-in form accepts any account id with any password.
//
//   node server.mjs PORT APP_URL CLIENT_SECRET
//
// Prints "listening on ISSUER" once it accepts connections. For tests only: its keys are the
// library's development keys and it holds everything in memory.
import Provider from 'oidc-provider';

const [port, appUrl, clientSecret] = process.argv.slice(2);
if (!port || !appUrl || !clientSecret) {
  console.error('usage: node server.mjs PORT APP_URL CLIENT_SECRET');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  verified: { email: 'sso.verified@example.org', email_verified: true, name: 'Vera Verified' },
  unverified: { email: 'sso.unverified@example.org', email_verified: false, name: 'Uri Unverified' },
};
const SCOPE = 'openid email profile';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'lc-health',
      client_secret: clientSecret,
      redirect_uris: [`${appUrl}/oauth2callback`],
      // Streamlit's st.logout comes back through the redirect URI.
      post_logout_redirect_uris: [`${appUrl}/oauth2callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Streamlit reads the user from the ID token: put the scopes' claims there.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const claims = ACCOUNTS[sub] ?? {};
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
  // The app is the only client and first-party: grant its scopes without a consent page.
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['lc-health-test-only-cookie-key'] },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
