extension ConsoleTemplates {
    /// The usage pages. Figures carry their exact value in `data-value` (or `data-upload` /
    /// `data-download`) and their human size in `title`; charts and meters are SVG the
    /// console drew itself from numbers and escaped labels, the only triple-braced values.
    static let usage: [String: String] = [
        "usage-bytes": """
        <span title="{{human}}">{{text}}</span>
        """,
        "usage-overview": """
        <section class="cards" aria-label="Usage and activity">
          {{#thisCycle}}
          <div class="card" id="usage-this-cycle" data-upload="{{upload.value}}" data-download="{{download.value}}">
            <div class="label">This cycle {{label}} ({{first}} to {{last}})</div>
            <div class="figure" title="{{total.human}}">{{total.text}} B</div>
            <div class="label">upload {{#upload}}{{> usage-bytes}}{{/upload}} · download {{#download}}{{> usage-bytes}}{{/download}}</div>
          </div>
          {{/thisCycle}}
          {{#lastCycle}}
          <div class="card" id="usage-last-cycle" data-upload="{{upload.value}}" data-download="{{download.value}}">
            <div class="label">Last cycle {{label}} ({{first}} to {{last}})</div>
            <div class="figure" title="{{total.human}}">{{total.text}} B</div>
            <div class="label">upload {{#upload}}{{> usage-bytes}}{{/upload}} · download {{#download}}{{> usage-bytes}}{{/download}}</div>
          </div>
          {{/lastCycle}}
          <div class="card" id="active-sessions" data-value="{{activeSessions}}">
            <div class="label">Active sessions</div>
            <div class="figure">{{activeSessions}}</div>
            <div class="label"><a href="/console/sessions?state=active">List them</a></div>
          </div>
          <div class="card" id="merge-lag" data-value="{{mergeSeconds}}" data-unmerged="{{unmerged}}">
            <div class="label">Merge lag</div>
            <div class="figure">{{mergeSeconds}} s</div>
            <div class="label">{{unmerged}} packets waiting</div>
          </div>
        </section>
        <h2>Near or over the allowance</h2>
        <p class="muted">Subscribers using 80 % or more of this cycle's allowance, or restricted now (the cycle's {{candidates}} heaviest users and every restricted one measured).</p>
        <div class="table-wrap"><table id="near-cap">
          <thead><tr><th>Subscriber</th><th>Plan</th><th class="num">Used</th><th class="num">Allowance</th><th class="num">Share</th><th>State</th></tr></thead>
          <tbody>
          {{#nearCap}}
          <tr data-user="{{user}}">
            <td>{{#showSubscribers}}<a href="{{href}}">{{user}}</a>{{/showSubscribers}}{{^showSubscribers}}{{user}}{{/showSubscribers}}</td>
            <td>{{plan}}</td>
            <td class="num" data-col="used" data-value="{{used.value}}">{{#used}}{{> usage-bytes}}{{/used}}</td>
            <td class="num" data-col="allowance" data-value="{{allowance.value}}">{{#allowance}}{{> usage-bytes}}{{/allowance}}</td>
            <td class="num{{#over}} state-over{{/over}}" data-col="share" data-value="{{percent}}">{{percent}} %</td>
            <td class="state-{{state}}" data-col="state" data-value="{{state}}">{{state}}</td>
          </tr>
          {{/nearCap}}
          {{^nearCap}}<tr><td colspan="6" class="muted">Nobody is near the allowance.</td></tr>{{/nearCap}}
          </tbody>
        </table></div>
        <h2>NAS health</h2>
        <div class="table-wrap"><table id="nas-health">
          <thead><tr><th>NAS</th><th>Last packet (UTC)</th><th class="num">Silent for (s)</th><th>Reported silent</th><th class="num">Open sessions</th><th>Dropped in 24 h, by reason</th></tr></thead>
          <tbody>
          {{#nas}}
          <tr data-nas="{{name}}">
            <td>{{name}}</td><td data-col="last-heard">{{lastHeardAt}}</td>
            <td class="num" data-col="silent" data-value="{{silentSeconds}}">{{silentSeconds}}</td>
            <td>{{#reportedSilent}}<span class="state-failed">yes</span>{{/reportedSilent}}{{^reportedSilent}}no{{/reportedSilent}}</td>
            <td class="num" data-col="sessions" data-value="{{openSessions}}">{{openSessions}}</td>
            <td data-col="drops" data-value="{{dropped}}">{{#drops}}<span class="drop" data-reason="{{reason}}">{{reason}} {{datagrams}}</span> {{/drops}}{{^drops}}none{{/drops}}</td>
          </tr>
          {{/nas}}
          {{^nas}}<tr><td colspan="6" class="muted">No NAS registered.</td></tr>{{/nas}}
          </tbody>
        </table></div>
        {{#nasTotal}}<p class="muted" id="nas-health-more">The first {{nasShown}} of {{nasTotal}} NAS by name{{#showNAS}}: every NAS is on the <a href="/console/nas">NAS page</a>{{/showNAS}}.</p>{{/nasTotal}}
        <p class="muted">Drops are datagrams from a registered address left unanswered (wrong secret, bad Message-Authenticator, malformed, a copy of one in flight, overload). Datagrams from unknown addresses belong to no tenant: each collector counts them on its /metrics.</p>
        """,
        "usage-sort-headers": """
        {{#headers}}<th{{#numeric}} class="num"{{/numeric}}{{#ariaSort}} aria-sort="{{ariaSort}}"{{/ariaSort}}>{{#href}}<a href="{{href}}">{{label}}</a>{{/href}}{{^href}}{{label}}{{/href}}</th>{{/headers}}
        """,
        "usage-pager": """
        {{#pager}}{{#any}}<div class="pager">{{#previous}}<a rel="prev" href="{{previous}}">Previous</a>{{/previous}}{{#first}}<a rel="first" href="{{first}}">First page</a>{{/first}}{{#next}}<a rel="next" href="{{next}}">Next</a>{{/next}}</div>{{/any}}{{/pager}}
        """,
        "usage-subscribers": """
        <form class="filters" method="get" action="/console/subscribers">
          <p><label for="q">Search User-Name</label><input id="q" name="q" type="search" value="{{q}}" maxlength="253"></p>
          <p><button type="submit">Search</button></p>
        </form>
        <p class="muted">Usage of cycle {{cycle}}; allowance and state as the quota endpoint measures them.</p>
        <div class="table-wrap"><table id="subscribers">
          <thead><tr>{{> usage-sort-headers}}<th class="num">Allowance</th><th>Used</th><th>State</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr data-user="{{user}}">
            <td data-col="user"><a href="{{href}}">{{user}}</a></td>
            <td data-col="plan" data-value="{{plan}}">{{plan}}</td>
            <td class="num" data-col="upload" data-value="{{upload.value}}">{{#upload}}{{> usage-bytes}}{{/upload}}</td>
            <td class="num" data-col="download" data-value="{{download.value}}">{{#download}}{{> usage-bytes}}{{/download}}</td>
            <td class="num" data-col="total" data-value="{{total.value}}">{{#total}}{{> usage-bytes}}{{/total}}</td>
            <td class="num" data-col="allowance" data-value="{{allowance.value}}">{{#allowance}}{{> usage-bytes}}{{/allowance}}</td>
            <td data-col="used" data-value="{{used.value}}">{{{meter}}} {{percent}}</td>
            <td class="state-{{state}}" data-col="state" data-value="{{state}}">{{state}}</td>
          </tr>
          {{/rows}}
          {{#empty}}<tr><td colspan="8" class="muted">No subscribers match.</td></tr>{{/empty}}
          </tbody>
        </table></div>
        {{> usage-pager}}
        """,
        "usage-subscriber": """
        <p>Plan <strong>{{plan}}</strong> · cycle {{period}} ({{first}} to {{last}}) · state <span class="state-{{state}}">{{state}}</span>
           {{#windows}}· time-of-day windows: {{windows}}{{/windows}}</p>
        <p class="pager"><a href="{{previous.href}}">Cycle {{previous.label}}</a>{{#next}}<a href="{{href}}">Cycle {{label}}</a>{{/next}}</p>
        <section class="cards">
          <div class="card" id="cycle-usage" data-upload="{{upload.value}}" data-download="{{download.value}}">
            <div class="label">Usage of the cycle</div>
            <div class="figure" title="{{total.human}}">{{total.text}} B</div>
            <div class="label">upload {{#upload}}{{> usage-bytes}}{{/upload}} · download {{#download}}{{> usage-bytes}}{{/download}}</div>
          </div>
          <div class="card" id="allowance" data-value="{{allowance.value}}" data-used="{{used.value}}">
            <div class="label">Counted against the allowance</div>
            <div class="figure" title="{{used.human}}">{{used.text}} B</div>
            <div class="label">of {{#allowance}}{{> usage-bytes}}{{/allowance}} B</div>
          </div>
        </section>
        <h2>Daily usage</h2>
        {{{dailyChart}}}
        <p class="muted">Bars: upload (blue) under download (green); line: running total; dashed: the allowance. Choose a day for its hours:</p>
        <nav aria-label="Days" class="days">{{#days}}<a href="{{href}}">{{label}}</a> {{/days}}</nav>
        {{#day}}
        <h2>Hours of {{day}}</h2>
        <p id="day-usage" data-upload="{{dayUpload.value}}" data-download="{{dayDownload.value}}">upload {{#dayUpload}}{{> usage-bytes}}{{/dayUpload}} B · download {{#dayDownload}}{{> usage-bytes}}{{/dayDownload}} B (shaded: the plan's time-of-day windows)</p>
        {{{hourlyChart}}}
        {{/day}}
        <h2>Sessions</h2>
        <div class="table-wrap"><table id="sessions">
          <thead><tr><th>NAS</th><th>Started (UTC)</th><th>Stopped (UTC)</th><th class="num">Upload</th><th class="num">Download</th><th class="num">Seconds</th><th>Terminate cause</th><th>Closed by</th></tr></thead>
          <tbody>
          {{#sessions}}
          <tr data-session="{{id}}">
            <td>{{nas}}</td><td>{{startedAt}}</td><td>{{stoppedAt}}</td>
            <td class="num" data-col="upload" data-value="{{upload.value}}">{{#upload}}{{> usage-bytes}}{{/upload}}</td>
            <td class="num" data-col="download" data-value="{{download.value}}">{{#download}}{{> usage-bytes}}{{/download}}</td>
            <td class="num">{{seconds}}</td><td data-col="cause">{{cause}}</td><td>{{closeReason}}</td>
          </tr>
          {{/sessions}}
          {{^sessions}}<tr><td colspan="8" class="muted">No sessions.</td></tr>{{/sessions}}
          </tbody>
        </table></div>
        <h2>Enforcement</h2>
        <div class="table-wrap"><table id="enforcement">
          <thead><tr><th>When (UTC)</th><th>Kind</th><th>Action</th><th>Detail</th><th>Status</th></tr></thead>
          <tbody>
          {{#events}}<tr data-kind="{{kind}}"><td>{{at}}</td><td>{{kind}}</td><td>{{action}}</td><td>{{detail}}</td><td class="state-{{status}}">{{status}}</td></tr>{{/events}}
          {{^events}}<tr><td colspan="5" class="muted">No crossings or requests.</td></tr>{{/events}}
          </tbody>
        </table></div>
        <h2>Invoices</h2>
        <div class="table-wrap"><table id="invoices">
          <thead><tr><th>Period</th><th>Status</th><th class="num">Total</th></tr></thead>
          <tbody>
          {{#invoices}}
          <tr data-invoice="{{id}}"><td>{{#href}}<a href="{{href}}">{{period}}</a>{{/href}}{{^href}}{{period}}{{/href}}</td><td>{{status}}</td>
            <td class="num" data-value="{{total}}">{{total}} {{currency}}</td></tr>
          {{/invoices}}
          {{^invoices}}<tr><td colspan="3" class="muted">No invoices.</td></tr>{{/invoices}}
          </tbody>
        </table></div>
        <h2>Top-ups</h2>
        <div class="table-wrap"><table id="top-ups">
          <thead><tr><th>Cycle</th><th class="num">Bytes</th><th>Note</th><th>Added (UTC)</th></tr></thead>
          <tbody>
          {{#topUps}}
          <tr data-top-up="{{id}}"><td>{{period}}</td><td class="num" data-value="{{bytes.value}}">{{#bytes}}{{> usage-bytes}}{{/bytes}}</td><td>{{note}}</td><td>{{createdAt}}</td></tr>
          {{/topUps}}
          {{^topUps}}<tr><td colspan="4" class="muted">No top-ups.</td></tr>{{/topUps}}
          </tbody>
        </table></div>
        {{#canTopUp}}
        {{#topUp}}
        <form id="top-up" class="inline" method="post" action="{{topUpAction}}">
          {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="amount">Extra allowance for this cycle</label><input id="amount" name="amount" required placeholder="10 GB" maxlength="40" value="{{amount}}"></p>
          <p><label for="note">Note</label><input id="note" name="note" maxlength="500" value="{{note}}"></p>
          <p><button type="submit">Add top-up</button></p>
        </form>
        {{/topUp}}
        {{/canTopUp}}
        """,
        "usage-sessions": """
        <form class="filters" method="get" action="/console/sessions">
          <p><label for="state">State</label><select id="state" name="state">
            <option value="active"{{#active}} selected{{/active}}>Active</option>
            <option value="recent"{{^active}} selected{{/active}}>Recent (all, newest first)</option></select></p>
          <p><label for="user">User-Name</label><input id="user" name="user" value="{{user}}" maxlength="253"></p>
          <p><label for="nas">NAS</label><input id="nas" name="nas" value="{{nas}}" maxlength="200"></p>
          <p><button type="submit">Show</button></p>
        </form>
        <div class="table-wrap"><table id="sessions">
          <thead><tr><th>User-Name</th><th>NAS</th><th>Session</th><th>Started (UTC)</th><th>Last update (UTC)</th><th>Stopped (UTC)</th>
            <th class="num">Upload</th><th class="num">Download</th><th class="num">Seconds</th><th>Terminate cause</th><th>Address</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr data-session="{{id}}">
            <td>{{#href}}<a href="{{href}}">{{user}}</a>{{/href}}{{^href}}{{user}}{{/href}}</td><td>{{nas}}</td><td class="mono">{{sessionID}}</td>
            <td>{{startedAt}}</td><td>{{lastUpdateAt}}</td><td>{{stoppedAt}}</td>
            <td class="num" data-col="upload" data-value="{{upload.value}}">{{#upload}}{{> usage-bytes}}{{/upload}}</td>
            <td class="num" data-col="download" data-value="{{download.value}}">{{#download}}{{> usage-bytes}}{{/download}}</td>
            <td class="num">{{seconds}}</td><td>{{cause}}{{#closeReason}} ({{closeReason}}){{/closeReason}}</td><td>{{address}}</td>
          </tr>
          {{/rows}}
          {{#empty}}<tr><td colspan="11" class="muted">No sessions.</td></tr>{{/empty}}
          </tbody>
        </table></div>
        {{> usage-pager}}
        """,
        "usage-top-users": """
        <form class="filters" method="get" action="/console/top-users">
          <p><label for="period">Cycle (YYYY-MM)</label><input id="period" name="period" value="{{period}}" pattern="[0-9]{4}-[0-9]{2}" maxlength="7"></p>
          <p><label for="direction">By</label><select id="direction" name="direction">{{#directions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/directions}}</select></p>
          <p><label for="limit">How many</label><input id="limit" name="limit" type="number" min="1" max="500" value="{{limit}}"></p>
          <p><button type="submit">Show</button></p>
        </form>
        <p>Cycle {{period}} ({{first}} to {{last}}) · <a id="top-users-csv" href="{{csv}}">Download CSV</a></p>
        <div class="table-wrap"><table id="top-users">
          <thead><tr><th class="num">Rank</th><th>Subscriber</th><th class="num">Upload</th><th class="num">Download</th><th class="num">Total</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr data-user="{{user}}">
            <td class="num">{{rank}}</td><td><a href="{{href}}">{{user}}</a></td>
            <td class="num" data-col="upload" data-value="{{upload.value}}">{{#upload}}{{> usage-bytes}}{{/upload}}</td>
            <td class="num" data-col="download" data-value="{{download.value}}">{{#download}}{{> usage-bytes}}{{/download}}</td>
            <td class="num" data-col="total" data-value="{{total.value}}">{{#total}}{{> usage-bytes}}{{/total}}</td>
          </tr>
          {{/rows}}
          {{#empty}}<tr><td colspan="5" class="muted">No usage in this cycle.</td></tr>{{/empty}}
          </tbody>
        </table></div>
        """,
        "usage-tenants": """
        <div class="table-wrap"><table id="tenants">
          <thead><tr><th>Slug</th><th>Name</th><th>Currency</th><th>Time zone</th><th class="num">Billing day</th><th class="num">NAS</th><th class="num">Console users</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr data-tenant="{{slug}}"><td>{{slug}}</td><td>{{name}}</td><td>{{currency}}</td><td>{{timeZone}}</td>
            <td class="num">{{billingDay}}</td><td class="num" data-col="nas" data-value="{{nasCount}}">{{nasCount}}</td>
            <td class="num" data-col="users" data-value="{{userCount}}">{{userCount}}</td></tr>
          {{/rows}}
          {{#empty}}<tr><td colspan="7" class="muted">No tenants.</td></tr>{{/empty}}
          </tbody>
        </table></div>
        {{> usage-pager}}
        """,
    ]
}
