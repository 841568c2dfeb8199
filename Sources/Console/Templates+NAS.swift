extension ConsoleTemplates {
    /// The NAS pages: the list with the register form, one NAS, and the removal confirmation.
    /// No template ever receives a secret.
    static let nas: [String: String] = [
        "nas.list": """
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <div class="table-wrap">
        <table id="nas">
          <thead><tr>
            {{#headers}}<th scope="col"{{#numeric}} class="num"{{/numeric}}{{#ariaSort}} aria-sort="{{ariaSort}}"{{/ariaSort}}><a href="{{link}}">{{title}}</a></th>{{/headers}}
            <th scope="col">Health</th>
          </tr></thead>
          <tbody>
          {{#devices}}
          <tr data-nas="{{name}}">
            <td><a href="{{link}}">{{name}}</a>{{#weakSecret}} <span class="state-near" title="The shared secret is shorter than 12 octets">weak secret</span>{{/weakSecret}}</td>
            <td class="mono">{{address}}</td>
            <td>{{listener}}</td>
            <td>{{vendor}}</td>
            <td class="num" data-value="{{coaPort}}">{{coaPort}}</td>
            <td data-value="{{lastHeard}}">{{#lastHeard}}{{lastHeard}}{{/lastHeard}}{{^lastHeard}}<span class="muted">never</span>{{/lastHeard}}</td>
            <td class="num" data-value="{{openSessions}}">{{openSessions}}</td>
            <td class="state-{{state}}" data-value="{{state}}">{{state}}</td>
          </tr>
          {{/devices}}
          {{#empty}}<tr><td colspan="8" class="muted">No NAS registered yet.</td></tr>{{/empty}}
          </tbody>
        </table>
        </div>
        {{#pager}}{{#shown}}<div class="pager">
          {{#previous}}<a rel="prev" href="{{previous}}">Previous</a>{{/previous}}
          <span class="muted">{{summary}}</span>
          {{#next}}<a rel="next" href="{{next}}">Next</a>{{/next}}
        </div>{{/shown}}{{/pager}}
        <h2 id="register">Register a NAS</h2>
        {{#form}}
        <form id="new-nas" class="stacked" method="post" action="/console/nas">
          {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="nas-name">Name</label>
             <input id="nas-name" name="name" required maxlength="200" value="{{name}}"></p>
          <p><label for="nas-address">Address or prefix (e.g. 10.0.0.1 or 10.0.0.0/24)</label>
             <input id="nas-address" name="address" required maxlength="64" value="{{address}}"></p>
          <p><label for="nas-secret">Shared secret (at least 12 characters recommended; never shown again)</label>
             <input id="nas-secret" name="secret" type="password" required maxlength="128" autocomplete="new-password"></p>
          <p><button type="submit">Register</button></p>
        </form>
        {{/form}}
        """,
        "nas.device": """
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <p><a href="/console/nas">All NAS devices</a></p>
        <div class="table-wrap">
        <table id="nas-settings">
          <tbody>
            <tr><th scope="row">Address</th><td class="mono">{{address}}</td></tr>
            <tr><th scope="row">Listener</th><td>{{listener}}</td></tr>
            <tr><th scope="row">NAS-Identifier</th><td>{{#identifier}}{{identifier}}{{/identifier}}{{^identifier}}<span class="muted">none</span>{{/identifier}}</td></tr>
            <tr><th scope="row">Shared secret</th><td>{{#weakSecret}}<span class="state-near">weak: shorter than 12 octets</span>{{/weakSecret}}{{^weakSecret}}set{{/weakSecret}}</td></tr>
            <tr><th scope="row">Message-Authenticator</th><td>{{#requireMessageAuthenticator}}required{{/requireMessageAuthenticator}}{{^requireMessageAuthenticator}}not required{{/requireMessageAuthenticator}}</td></tr>
            <tr><th scope="row">CoA port</th><td data-value="{{coaPort}}">{{coaPort}}</td></tr>
            <tr><th scope="row">Vendor profile</th><td>{{vendor}}</td></tr>
            <tr><th scope="row">CoA secret</th><td>{{#hasCoASecret}}its own{{#weakCoASecret}} <span class="state-near">weak: shorter than 12 octets</span>{{/weakCoASecret}}{{/hasCoASecret}}{{^hasCoASecret}}the shared secret{{/hasCoASecret}}</td></tr>
          </tbody>
        </table>
        </div>
        <h2>Health</h2>
        {{#health}}
        <div class="table-wrap">
        <table id="nas-health">
          <thead><tr><th scope="col">State</th><th scope="col">Last packet heard</th><th scope="col">Silent since</th>
                     <th scope="col" class="num">Open sessions</th><th scope="col">Last Accounting-On/Off</th></tr></thead>
          <tbody>
          <tr data-nas="{{name}}">
            <td class="state-{{state}}" data-value="{{state}}">{{state}}</td>
            <td data-value="{{lastHeard}}">{{#lastHeard}}{{lastHeard}}{{/lastHeard}}{{^lastHeard}}<span class="muted">never</span>{{/lastHeard}}</td>
            <td data-value="{{silentSince}}">{{silentSince}}</td>
            <td class="num" data-value="{{openSessions}}">{{openSessions}}</td>
            <td data-value="{{lastReboot}}">{{lastReboot}}</td>
          </tr>
          </tbody>
        </table>
        </div>
        {{/health}}
        <h2>Recent CoA and Disconnect requests</h2>
        <div class="table-wrap">
        <table id="enforcement">
          <thead><tr><th scope="col">Decided at</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Reason</th>
                     <th scope="col">Outcome</th><th scope="col" class="num">Attempts</th><th scope="col">Completed at</th><th scope="col">Detail</th></tr></thead>
          <tbody>
          {{#requests}}
          <tr data-request="{{id}}">
            <td>{{decidedAt}}</td><td>{{user}}</td><td>{{action}}</td><td>{{reason}}</td>
            <td class="state-{{status}}" data-value="{{status}}">{{status}}</td><td class="num" data-value="{{attempts}}">{{attempts}}</td>
            <td>{{completedAt}}</td><td>{{detail}}</td>
          </tr>
          {{/requests}}
          {{#noRequests}}<tr><td colspan="8" class="muted">No requests sent to this NAS.</td></tr>{{/noRequests}}
          </tbody>
        </table>
        </div>
        <h2>Rotate the shared secret</h2>
        <form id="rotate-secret" class="stacked" method="post" action="{{link}}/secret">
          {{#rotate}}{{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}{{/rotate}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="rotate-secret-value">New shared secret (never shown again)</label>
             <input id="rotate-secret-value" name="secret" type="password" required maxlength="128" autocomplete="new-password"></p>
          <p><button type="submit">Replace the secret</button></p>
        </form>
        <h2>Dynamic authorization (RFC 5176)</h2>
        {{#coa}}
        <form id="coa-settings" class="stacked" method="post" action="{{link}}/coa">
          {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="coa-port">CoA port</label>
             <input id="coa-port" name="coa_port" inputmode="numeric" required maxlength="5" value="{{port}}"></p>
          <p><label for="coa-vendor">Vendor profile</label>
             <input id="coa-vendor" name="vendor" required maxlength="40" value="{{vendor}}"></p>
          <p><label for="coa-secret">New CoA secret (leave empty to keep the current one; never shown again)</label>
             <input id="coa-secret" name="coa_secret" type="password" maxlength="128" autocomplete="new-password"></p>
          <p><input id="clear-coa-secret" name="clear_coa_secret" type="checkbox" value="1">
             <label for="clear-coa-secret">Clear the CoA secret (use the shared secret again)</label></p>
          <p><button type="submit">Save</button></p>
        </form>
        {{/coa}}
        <h2>Remove</h2>
        <form id="remove-nas" method="post" action="{{link}}/remove">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit" class="danger">Remove this NAS…</button>
        </form>
        """,
        "nas.confirm-remove": """
        <p>NAS <strong>{{name}}</strong> ({{address}}) has <span data-value="{{openSessions}}">{{openSessions}}</span> open sessions.
           Once removed, its packets are dropped and no CoA or Disconnect request is sent to it.</p>
        <form id="confirm-remove" method="post" action="{{link}}/remove">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="confirm" value="yes">
          <button id="confirm" type="submit" class="danger">Remove</button>
          <a href="{{link}}">Cancel</a>
        </form>
        """,
    ]
}
