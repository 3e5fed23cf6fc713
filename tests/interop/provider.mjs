// An independent OpenID Provider that behaves like ID-porten, for Samplan's interop tests.
//
// panva's oidc-provider (pinned in package.json) shares no code with Authlib, so a login that works
// here and against the Authlib-based dev IdP is evidence that the RP follows the protocol rather
// than one library's reading of it. Modelled on ID-porten (see shared/research/oidc.md § 1, § 6.1):
// code flow only, PKCE S256 required, client_secret_post, acr idporten-loa-substantial|high,
// id_token with sub (pairwise-looking), pid, acr, amr ["TestID"], sid, locale, auth_time, nonce,
// RS256 with a kid, 120 s lifetime, RFC 9207 `iss` on every authorization response, and
// RP-initiated logout without a confirmation question.
//
// The login page is a headless "TestID": GET /interaction/:uid is a form with a `pid` text input
// and an `acr` select; POST /interaction/:uid logs that person in at that level.
//
// Environment: PORT, ISSUER (http://127.0.0.1:PORT), CLIENT_ID, CLIENT_SECRET (>= 32 chars),
// REDIRECT_URI, POST_LOGOUT_REDIRECT_URI. Binds 127.0.0.1 only. Logs to stderr; never logs a pid.
// The pytest fixtures in conftest.py start it; by hand (after scripts/install-interop-deps.sh):
//
//   PORT=4000 ISSUER=http://127.0.0.1:4000 CLIENT_ID=samplan \
//   CLIENT_SECRET=a-local-test-secret-of-32-chars-or-more \
//   REDIRECT_URI=http://127.0.0.1:8000/auth/citizen/callback \
//   POST_LOGOUT_REDIRECT_URI=http://127.0.0.1:8000/logged-out node tests/interop/provider.mjs
//
// and run Samplan with SAMPLAN_CITIZEN_OIDC_ISSUER=http://127.0.0.1:4000 and the same
// SAMPLAN_CITIZEN_OIDC_CLIENT_ID / SAMPLAN_CITIZEN_OIDC_CLIENT_SECRET.

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const ACR_VALUES = ['idporten-loa-substantial', 'idporten-loa-high'];
const DEFAULT_ACR = 'idporten-loa-high';
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)$/;
// sid is only put into id_tokens for clients registered for back-channel logout with sessions
// (oidc-provider dropped front-channel logout in v7; ID-porten emits sid for clients registered
// with frontchannel_logout_session_required). The client is therefore registered for back-channel
// logout to this sink on the provider itself, which accepts and discards the logout token.
const BACKCHANNEL_SINK_PATH = '/_backchannel-sink';

function log(message) {
  process.stderr.write(`[interop-op] ${message}\n`);
}

function fail(message) {
  log(message);
  process.exit(2);
}

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) fail(`environment variable ${name} is required`);
  return value;
}

const port = Number.parseInt(requiredEnv('PORT'), 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('PORT must be a TCP port number');
const issuer = requiredEnv('ISSUER');
if (issuer !== `http://127.0.0.1:${port}`) fail(`ISSUER must be http://127.0.0.1:${port}`);
const clientId = requiredEnv('CLIENT_ID');
const clientSecret = requiredEnv('CLIENT_SECRET');
if (clientSecret.length < 32) fail('CLIENT_SECRET must be at least 32 characters');
const redirectUri = requiredEnv('REDIRECT_URI');
const postLogoutRedirectUri = requiredEnv('POST_LOGOUT_REDIRECT_URI');

// A fresh RS256 signing key per start, with a kid as ID-porten publishes.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `interop-${randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

// ID-porten's sub is pairwise per client: a stable opaque string, not the identity number.
function pairwiseSubject(pid) {
  return createHash('sha256').update(`${clientId}\0${pid}`).digest('base64url');
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
${body}
</body>
</html>
`;
}

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      backchannel_logout_uri: `${issuer}${BACKCHANNEL_SINK_PATH}`,
      backchannel_logout_session_required: true,
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { methods: ['S256'], required: () => true },
  acrValues: ACR_VALUES,
  // Scope claims go into the id_token (conformIdTokenClaims: false), as ID-porten puts pid there.
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'],
    profile: ['pid', 'locale'],
  },
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  subjectTypes: ['public'],
  discovery: { ui_locales_supported: ['nb', 'nn', 'en', 'se'] },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ID-porten asks no question: the page carries a form that says "yes" and submits itself.
      logoutSource: async (ctx, form) => {
        ctx.body = page(
          'Logging out',
          `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><button type="submit">Log out</button></form>')}
<script>document.forms[0].submit();</script>`,
        );
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Logged out', '<h1>Logged out</h1>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page(
      'Error',
      `<h1>Error</h1><p id="error">${escapeHtml(out.error)}</p><p id="error_description">${escapeHtml(out.error_description ?? '')}</p>`,
    );
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: pairwiseSubject(id), pid: id, locale: 'nb' };
      },
    };
  },
  ttl: {
    IdToken: 120,
    AccessToken: 120,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 7200,
    Grant: 7200,
  },
};

const provider = new Provider(issuer, configuration);

for (const event of [
  'server_error',
  'authorization.error',
  'grant.error',
  'end_session.error',
  'userinfo.error',
  'backchannel.error',
  'jwks.error',
  'discovery.error',
  'pushed_authorization_request.error',
]) {
  provider.on(event, (ctx, error) => {
    // Messages and descriptions name the protocol problem, never the account.
    const description = error?.error_description ? ` (${error.error_description})` : '';
    log(`${event}: ${error?.message ?? error}${description}`);
  });
}
provider.on('grant.success', (ctx) => {
  log(`token issued to ${ctx.oidc.client?.clientId}`);
});

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function loginForm(uid, details) {
  const requested = (details.params.acr_values ?? '').split(' ').filter((v) => ACR_VALUES.includes(v));
  const preselected = requested.includes(DEFAULT_ACR) || requested.length === 0 ? DEFAULT_ACR : requested[0];
  const options = ACR_VALUES.map(
    (value) => `<option value="${value}"${value === preselected ? ' selected' : ''}>${value}</option>`,
  ).join('');
  return page(
    'TestID',
    `<h1>TestID</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Personidentifikator <input type="text" name="pid" inputmode="numeric" autocomplete="off" required></label>
<label>Sikkerhetsnivå <select name="acr">${options}</select></label>
<button type="submit">Autentiser</button>
</form>`,
  );
}

// Grants what the client asked for among the OIDC scopes and claims, as ID-porten's fixed
// "openid profile" integration does; no consent page.
async function grantFor(details, accountId) {
  const { prompt, params, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  const wanted = new Set((params.scope ?? '').split(' ').filter(Boolean));
  const scopes = ['openid', 'profile'].filter((scope) => wanted.has(scope));
  grant.addOIDCScope(scopes.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  return grant.save();
}

async function handleInteraction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Error', '<p>interaction mismatch</p>'));
    return;
  }
  if (req.method === 'GET' && details.prompt.name === 'consent') {
    // Already logged in (SSO): consent is implicit, go straight back.
    const grantId = await grantFor(details, details.session.accountId);
    const to = await provider.interactionResult(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
    send(res, 303, '', { location: to });
    return;
  }
  if (req.method === 'GET') {
    send(res, 200, loginForm(uid, details));
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, page('Error', '<p>method not allowed</p>'), { allow: 'GET, POST' });
    return;
  }
  const form = await readForm(req);
  const pid = (form.get('pid') ?? '').trim();
  const acr = form.get('acr') || DEFAULT_ACR;
  if (!/^\d{11}$/.test(pid) || !ACR_VALUES.includes(acr)) {
    send(res, 400, page('TestID', '<p>pid must be 11 digits and acr one of the offered values</p>'));
    return;
  }
  const grantId = await grantFor({ ...details, grantId: undefined }, pid);
  const result = {
    login: { accountId: pid, acr, amr: ['TestID'], remember: true },
    consent: { grantId },
  };
  const to = await provider.interactionResult(req, res, result, { mergeWithLastSubmission: false });
  send(res, 303, '', { location: to });
}

const callback = provider.callback();

const server = createServer(async (req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0];
  try {
    const match = INTERACTION_PATH.exec(path);
    if (match) {
      await handleInteraction(req, res, match[1]);
      return;
    }
    if (path === '/token' && req.headers.authorization !== undefined) {
      // oidc-provider treats client_secret_basic and client_secret_post as one method; the client
      // is registered for client_secret_post (Digdir advises against basic), so hold it to that.
      log('token request refused: client_secret_basic used, the client is registered for client_secret_post');
      req.resume();
      res.writeHead(401, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate': 'Basic realm="token"',
      });
      res.end(JSON.stringify({
        error: 'invalid_client',
        error_description: 'the client is registered for client_secret_post',
      }));
      return;
    }
    if (path === BACKCHANNEL_SINK_PATH) {
      req.resume();
      res.writeHead(204).end();
      return;
    }
    callback(req, res);
  } catch (error) {
    log(`interaction failed: ${error?.name ?? 'Error'}: ${error?.message ?? error}`);
    if (!res.headersSent) send(res, 400, page('Error', '<p>the login could not be completed</p>'));
    else res.end();
  }
});

server.on('error', (error) => fail(`cannot serve on 127.0.0.1:${port}: ${error.code ?? error.message}`));
server.listen(port, '127.0.0.1', () => {
  log(`oidc-provider listening on ${issuer} for client ${clientId}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
