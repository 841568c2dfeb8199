/// The billing group's pages: plans, versions, the preview, invoice runs, invoices and a
/// line's drill-down to packets. Every value is escaped (`{{x}}`); exact figures sit in
/// `data-value` attributes.
extension ConsoleTemplates {
    static let billing: [String: String] = [
        "billing-plans": """
        <div class="table-wrap">
        <table id="plans">
          <thead><tr><th scope="col">Plan</th><th scope="col">Versions</th><th scope="col">Latest from</th><th scope="col">Currency</th>
            <th scope="col" class="num">Fee per cycle</th><th scope="col" class="num">Allowance</th><th scope="col">Overage</th></tr></thead>
          <tbody>
          {{#plans}}<tr data-plan="{{name}}"><td><a href="{{href}}">{{name}}</a></td><td class="num">{{versions}}</td><td>{{latestFrom}}</td>
            <td>{{currency}}</td><td class="num" data-value="{{fee}}">{{fee}}</td><td class="num" data-value="{{included}}">{{included}} {{unit}}</td>
            <td>{{overage}}</td></tr>
          {{/plans}}
          {{^plans}}<tr><td colspan="7" class="muted">No plans yet.</td></tr>{{/plans}}
          </tbody>
        </table>
        </div>
        <h2 id="new-plan-heading">New plan</h2>
        {{#form}}
        <form id="new-plan" class="stacked" method="post" action="/console/plans" aria-labelledby="new-plan-heading">
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="name">Name</label><input id="name" name="name" required maxlength="100" value="{{name}}"></p>
          <p><label for="effective_from">Effective from (YYYY-MM-DD; empty: the document's, else always)</label>
             <input id="effective_from" name="effective_from" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" value="{{effectiveFrom}}"></p>
          <p><label for="document">Terms (TOML as in Config/plans, or JSON)</label>
             <textarea id="document" name="document" required spellcheck="false">{{document}}</textarea></p>
          <p><button type="submit">Create plan</button></p>
        </form>
        {{/form}}
        """,
        "billing-plan": """
        <p><a href="/console/plans">All plans</a> · <a id="preview-link" href="{{previewHref}}">Preview a candidate version on a subscriber's cycle</a></p>
        <div class="table-wrap">
        <table id="versions">
          <thead><tr><th scope="col">Version</th><th scope="col">Effective from</th><th scope="col" class="num">Fee per cycle</th>
            <th scope="col" class="num">Allowance</th><th scope="col">Counted</th><th scope="col">Overage</th><th scope="col">Increment</th>
            <th scope="col">Cap</th><th scope="col" class="num">Tax rate</th><th scope="col">Time-of-day windows</th><th scope="col">Quotas</th></tr></thead>
          <tbody>
          {{#versions}}<tr data-version="{{id}}"><td>{{id}}</td><td>{{effectiveFrom}}</td>
            <td class="num" data-value="{{fee}}">{{fee}} {{currency}}</td><td class="num" data-value="{{included}}">{{included}} {{unit}}</td>
            <td>{{directions}}</td><td>{{overage}}</td><td>{{increment}}</td><td>{{cap}}</td><td class="num" data-value="{{taxRate}}">{{taxRate}}</td>
            <td>{{#windows}}<div>{{.}}</div>{{/windows}}{{^windows}}none{{/windows}}</td>
            <td>{{#quotas}}<div>{{.}}</div>{{/quotas}}{{^quotas}}none{{/quotas}}{{#rate}}<div>rate {{rate}}</div>{{/rate}}</td></tr>
          {{/versions}}
          </tbody>
        </table>
        </div>
        <h2 id="new-version-heading">New version</h2>
        {{#form}}
        <form id="new-version" class="stacked" method="post" action="{{versionsAction}}" aria-labelledby="new-version-heading">
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="effective_from">Effective from (YYYY-MM-DD; empty: the document's effective_from)</label>
             <input id="effective_from" name="effective_from" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" value="{{effectiveFrom}}"></p>
          <p><label for="document">Terms (TOML as in Config/plans, or JSON)</label>
             <textarea id="document" name="document" required spellcheck="false">{{document}}</textarea></p>
          <p class="muted">A version from the same date as an earlier one replaces it from then on. Final periods it changes get adjustment lines on the next draft.</p>
          <p><button type="submit">Add version</button></p>
        </form>
        {{/form}}
        {{#versions}}<details><summary>Stored terms of version {{id}}</summary><pre class="mono">{{json}}</pre></details>{{/versions}}
        """,
        "billing-preview": """
        <p><a href="{{planHref}}">Back to plan {{plan}}</a></p>
        <p class="muted">Re-rates a subscriber's real cycle as an invoice run would, once on the plans as they are and once with the
          candidate version added to {{plan}}. Nothing is stored. Corrections of final periods (adjustment lines) are not part of a preview.</p>
        <form id="preview" class="stacked" method="post" action="{{action}}">
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="user">Subscriber (User-Name)</label><input id="user" name="user" required maxlength="253" value="{{user}}"></p>
          <p><label for="period">Cycle (YYYY-MM; default the last whole one)</label>
             <input id="period" name="period" pattern="[0-9]{4}-[0-9]{2}" value="{{period}}"></p>
          <p><label for="version">A stored version as the candidate</label>
             <select id="version" name="version"><option value="">(use the pasted document)</option>
             {{#versions}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/versions}}</select></p>
          <p><label for="document">Or a candidate version (TOML or JSON)</label>
             <textarea id="document" name="document" spellcheck="false">{{document}}</textarea></p>
          <p><label for="effective_from">Candidate effective from (YYYY-MM-DD; default the document's, else the cycle's first day)</label>
             <input id="effective_from" name="effective_from" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" value="{{effectiveFrom}}"></p>
          <p><button type="submit">Preview</button></p>
        </form>
        {{#result}}
        <h2>{{user}}, cycle {{period}} ({{periodStart}} to {{periodEnd}})</h2>
        <p>Candidate: {{candidateLabel}}, effective from {{effectiveFrom}}. Hourly buckets rated: {{buckets}}.</p>
        {{^candidateApplies}}<p class="notice">{{user}} is not on {{plan}} on any day of this cycle from {{effectiveFrom}}: the candidate changes nothing.</p>{{/candidateApplies}}
        {{#unassigned}}<p class="muted">{{unassigned}} bytes of this cycle fall on days without a plan: they are reported, never billed.</p>{{/unassigned}}
        <p id="preview-difference" data-value="{{differenceValue}}">Difference (candidate − current): <strong>{{difference}} {{currency}}</strong></p>
        <div class="cards">
        {{#current}}
        <section id="preview-current" class="card" data-total="{{totalValue}}" aria-label="{{label}}">
          <h3>{{label}}</h3>
          {{> billing-preview-lines}}
        </section>
        {{/current}}
        {{#candidate}}
        <section id="preview-candidate" class="card" data-total="{{totalValue}}" aria-label="{{label}}">
          <h3>{{label}}</h3>
          {{> billing-preview-lines}}
        </section>
        {{/candidate}}
        </div>
        {{/result}}
        """,
        "billing-preview-lines": """
        <div class="table-wrap">
        <table class="lines">
          <thead><tr><th scope="col">#</th><th scope="col">Line</th><th scope="col" class="num">Quantity</th>
            <th scope="col" class="num">Unit price</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Tax</th></tr></thead>
          <tbody>
          {{#lines}}<tr data-line="{{position}}" data-kind="{{kind}}"><td>{{position}}</td><td>{{description}}</td>
            <td class="num" data-value="{{quantity}}">{{quantity}} {{unit}}</td><td class="num" data-value="{{unitPrice}}">{{unitPrice}}</td>
            <td class="num" data-value="{{amount}}">{{amount}}</td><td class="num" data-value="{{tax}}">{{tax}}</td></tr>
          {{/lines}}
          {{^lines}}<tr><td colspan="6" class="muted">No lines.</td></tr>{{/lines}}
          </tbody>
          <tfoot>
            <tr><th scope="row" colspan="4">Subtotal</th><td class="num" data-value="{{subtotal}}">{{subtotal}}</td><td></td></tr>
            <tr><th scope="row" colspan="4">Tax</th><td class="num" data-value="{{tax}}">{{tax}}</td><td></td></tr>
            <tr><th scope="row" colspan="4">Total</th><td class="num total" data-value="{{total}}"><strong>{{total}}</strong></td><td></td></tr>
          </tfoot>
        </table>
        </div>
        """,
        "billing-runs": """
        <div class="table-wrap">
        <table id="runs">
          <thead><tr><th scope="col">Period</th><th scope="col">State</th><th scope="col" class="num">Drafts</th><th scope="col" class="num">Final</th>
            <th scope="col" class="num">Subtotal</th><th scope="col" class="num">Tax</th><th scope="col" class="num">Total</th>
            <th scope="col">Last rated</th><th scope="col">Finalized</th></tr></thead>
          <tbody>
          {{#runs}}<tr data-period="{{period}}"><td><a href="{{href}}">{{period}}</a></td><td class="state-{{state}}">{{state}}</td>
            <td class="num" data-value="{{drafts}}">{{drafts}}</td><td class="num" data-value="{{finals}}">{{finals}}</td>
            <td class="num" data-value="{{subtotal}}">{{subtotal}} {{currency}}</td><td class="num" data-value="{{tax}}">{{tax}} {{currency}}</td>
            <td class="num" data-value="{{total}}">{{total}} {{currency}}</td><td>{{lastRatedAt}}</td><td>{{finalizedAt}}</td></tr>
          {{/runs}}
          {{^runs}}<tr><td colspan="9" class="muted">No invoice runs yet.</td></tr>{{/runs}}
          </tbody>
        </table>
        </div>
        <h2 id="new-run-heading">New draft run</h2>
        <form id="new-run" class="inline" method="post" action="/console/invoices" aria-labelledby="new-run-heading">
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><label for="period">Period (YYYY-MM)</label><input id="period" name="period" required pattern="[0-9]{4}-[0-9]{2}" value="{{period}}"></p>
          <p><button type="submit">Rate drafts</button></p>
        </form>
        <p class="muted">A run creates or re-rates the period's draft invoices from the usage and plans as they are; final invoices never change.</p>
        """,
        "billing-run": """
        <p><a href="/console/invoices">All runs</a></p>
        {{#run}}
        <div class="cards" id="run-summary" data-period="{{period}}">
          <div class="card"><div class="label">State</div><div class="figure state-{{state}}">{{state}}</div></div>
          <div class="card"><div class="label">Drafts / final</div><div class="figure"><span id="run-drafts" data-value="{{drafts}}">{{drafts}}</span> / <span id="run-finals" data-value="{{finals}}">{{finals}}</span></div></div>
          <div class="card"><div class="label">Subtotal</div><div class="figure" id="run-subtotal" data-value="{{subtotal}}">{{subtotal}} {{currency}}</div></div>
          <div class="card"><div class="label">Tax</div><div class="figure" id="run-tax" data-value="{{tax}}">{{tax}} {{currency}}</div></div>
          <div class="card"><div class="label">Total</div><div class="figure" id="run-total" data-value="{{total}}">{{total}} {{currency}}</div></div>
        </div>
        {{/run}}
        <p class="muted">Lines: <span id="run-lines" data-value="{{lines}}">{{lines}}</span>. Invoices {{first}}-{{last}}.</p>
        <div class="table-wrap">
        <table id="invoices">
          <thead><tr>{{#headers}}<th scope="col"{{#numeric}} class="num"{{/numeric}}{{#ariaSort}} aria-sort="{{ariaSort}}"{{/ariaSort}}><a href="{{href}}">{{label}}</a></th>{{/headers}}</tr></thead>
          <tbody>
          {{#invoices}}<tr data-invoice="{{id}}"><td class="num"><a href="{{href}}">{{id}}</a></td><td data-col="user">{{user}}</td>
            <td class="state-{{status}}">{{status}}</td><td class="num" data-col="subtotal" data-value="{{subtotal}}">{{subtotal}}</td>
            <td class="num" data-col="tax" data-value="{{tax}}">{{tax}}</td><td class="num" data-col="total" data-value="{{total}}">{{total}} {{currency}}</td></tr>
          {{/invoices}}
          </tbody>
        </table>
        </div>
        <div class="pager">{{#previous}}<a rel="prev" href="{{previous}}">Previous</a>{{/previous}}{{#next}}<a rel="next" href="{{next}}">Next</a>{{/next}}</div>
        {{#canFinalize}}
        <form id="finalize" class="inline" method="post" action="{{finalizeAction}}">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p><button type="submit" class="danger">Finalize this run…</button></p>
        </form>
        {{/canFinalize}}
        """,
        "billing-confirm-finalize": """
        {{#run}}
        <p>Finalizing <strong>{{period}}</strong> re-rates its <strong id="confirm-drafts" data-value="{{drafts}}">{{drafts}}</strong> draft invoices
          from the usage and plans as they are now and makes them final: they never change again, corrections go on later drafts,
          and each finalized invoice is announced to the tenant's webhooks.</p>
        <p>Drafts now total <strong id="confirm-total" data-value="{{total}}">{{total}} {{currency}}</strong> ({{subtotal}} + {{tax}} tax).</p>
        {{/run}}
        <form id="confirm-finalize" class="inline" method="post" action="{{action}}">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="confirm" value="yes">
          <p><button id="confirm" type="submit" class="danger">Finalize</button> <a href="{{back}}">Cancel</a></p>
        </form>
        """,
        "billing-invoice": """
        <p><a href="{{runHref}}">Back to the run</a></p>
        {{#invoice}}
        <dl class="cards" id="invoice" data-invoice="{{id}}">
          <div class="card"><dt class="label">Subscriber</dt><dd class="figure">{{user}}</dd></div>
          <div class="card"><dt class="label">Period</dt><dd>{{periodStart}} to before {{periodEnd}}</dd></div>
          <div class="card"><dt class="label">Status</dt><dd class="state-{{status}}">{{status}}</dd></div>
          <div class="card"><dt class="label">Total</dt><dd class="figure" id="invoice-total" data-value="{{total}}">{{total}} {{currency}}</dd>
            <dd class="muted">subtotal <span id="invoice-subtotal" data-value="{{subtotal}}">{{subtotal}}</span>, tax <span id="invoice-tax" data-value="{{tax}}">{{tax}}</span></dd></div>
          <div class="card"><dt class="label">Rated</dt><dd>{{ratedAt}}</dd>{{#finalizedAt}}<dd>final {{finalizedAt}}</dd>{{/finalizedAt}}</div>
        </dl>
        {{/invoice}}
        <div class="table-wrap">
        <table id="lines">
          <thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">Line</th><th scope="col">Days</th>
            <th scope="col" class="num">Quantity</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Amount</th>
            <th scope="col" class="num">Tax</th><th scope="col" class="num">Counted bytes</th><th scope="col">Trail</th></tr></thead>
          <tbody>
          {{#lines}}<tr data-line="{{position}}" data-kind="{{kind}}"><td>{{position}}</td><td>{{kind}}</td><td>{{description}}</td>
            <td>{{from}} to {{through}}</td><td class="num" data-value="{{quantity}}">{{quantity}} {{unit}}</td>
            <td class="num" data-value="{{unitPrice}}">{{unitPrice}}</td><td class="num" data-col="amount" data-value="{{amount}}">{{amount}}</td>
            <td class="num" data-col="tax" data-value="{{tax}}">{{tax}}</td>
            <td class="num"{{#usageBytesValue}} data-value="{{usageBytesValue}}" title="{{usageBytesHuman}}"{{/usageBytesValue}}>{{usageBytes}}</td>
            <td>{{#drill}}<a class="drill" href="{{drill}}">Buckets</a>{{/drill}}{{#correctsPeriod}}corrects {{correctsPeriod}}{{/correctsPeriod}}</td></tr>
          {{/lines}}
          </tbody>
        </table>
        </div>
        """,
        "billing-line": """
        <p><a href="{{invoiceHref}}">Back to the invoice</a></p>
        {{#line}}
        <p id="line" data-line="{{position}}" data-kind="{{kind}}">{{description}}: <strong data-value="{{amount}}">{{amount}}</strong>
          ({{quantity}} {{unit}} at {{unitPrice}}), days {{from}} to {{through}}.</p>
        {{/line}}
        <p>{{explanation}}</p>
        {{#restsOnUsage}}
        <p>Plan version {{versionID}} counts {{directions}}. Hours are UTC; days are local ({{timeZone}}). Upload is what the subscriber sent,
          download what it received.</p>
        <p id="line-check" data-counted="{{countedSumValue}}" data-line-bytes="{{lineBytesValue}}">Sum of the counted bytes below:
          <strong>{{countedSum}}</strong>; the line counted <strong>{{lineBytes}}</strong>
          {{#consistent}}<span class="notice">(equal)</span>{{/consistent}}
          {{^consistent}}<span class="error">(different: usage of these days changed after the invoice was rated at {{ratedAt}}; a new draft run rates it)</span>{{/consistent}}.
          Weighted by the windows' factors: {{weightedSum}}.</p>
        <div class="table-wrap">
        <table id="buckets">
          <thead><tr><th scope="col">Hour (UTC)</th><th scope="col">Local day</th><th scope="col">Window</th><th scope="col" class="num">Factor</th>
            <th scope="col" class="num">Upload</th><th scope="col" class="num">Download</th><th scope="col" class="num">Counted</th><th scope="col">Sessions</th></tr></thead>
          <tbody>
          {{#rows}}<tr data-hour="{{hour}}"><td>{{hour}}</td><td>{{day}}</td><td>{{window}}</td><td class="num">{{factor}}</td>
            <td class="num" data-col="upload" data-value="{{uploadValue}}">{{upload}}</td><td class="num" data-col="download" data-value="{{downloadValue}}">{{download}}</td>
            <td class="num" data-col="counted" data-value="{{countedValue}}" title="{{countedHuman}}">{{counted}}</td>
            <td><a class="drill" href="{{href}}">Sessions</a></td></tr>
          {{/rows}}
          {{^rows}}<tr><td colspan="8" class="muted">No usage in these days.</td></tr>{{/rows}}
          </tbody>
        </table>
        </div>
        {{/restsOnUsage}}
        """,
        "billing-hour": """
        <p><a href="{{lineHref}}">Back to the line's buckets</a></p>
        <p id="bucket" data-hour="{{hour}}" data-upload="{{uploadValue}}" data-download="{{downloadValue}}" data-counted="{{countedValue}}">
          Bucket {{hour}} (local day {{day}}, {{window}}): upload {{upload}}, download {{download}}, counted {{counted}} bytes.</p>
        <p class="muted">The sessions of this subscriber open during this hour (by event time). A session's counter increases are spread
          over the time between its updates, split at hour boundaries, so each of these sessions may have put bytes into this bucket;
          its packets below show the counters it reported.</p>
        <div class="table-wrap">
        <table id="sessions">
          <thead><tr><th scope="col">Session</th><th scope="col">NAS</th><th scope="col">Port</th><th scope="col">Started</th>
            <th scope="col">Last update</th><th scope="col">Stopped</th><th scope="col">Cause</th>
            <th scope="col" class="num">Upload (whole session)</th><th scope="col" class="num">Download (whole session)</th><th scope="col">Packets</th></tr></thead>
          <tbody>
          {{#sessions}}<tr data-session="{{id}}"><td>{{sessionID}}{{#generation}} <span class="muted">gen {{generation}}</span>{{/generation}}</td>
            <td>{{nas}}</td><td>{{nasPort}}</td><td>{{startedAt}}</td><td>{{lastEventAt}}</td><td>{{stoppedAt}}</td><td>{{terminateCause}}</td>
            <td class="num" data-value="{{uploadValue}}">{{upload}}</td><td class="num" data-value="{{downloadValue}}">{{download}}</td>
            <td><a class="drill" href="{{href}}">Packets</a></td></tr>
          {{/sessions}}
          {{^sessions}}<tr><td colspan="10" class="muted">No session of this subscriber was open in this hour.</td></tr>{{/sessions}}
          </tbody>
        </table>
        </div>
        """,
        "billing-packets": """
        <p><a href="{{invoiceHref}}">Back to the invoice</a></p>
        <p id="session" data-upload="{{uploadValue}}" data-download="{{downloadValue}}">Session {{sessionID}} on {{nas}} port {{nasPort}}
          (generation {{generation}}), started {{startedAt}}, stopped {{stoppedAt}}: upload {{upload}}, download {{download}} bytes.</p>
        {{#truncated}}<p class="notice">The first 500 logged packets of this session are shown.</p>{{/truncated}}
        {{#undecodable}}<p class="error">{{undecodable}} logged packets do not decode as RADIUS.</p>{{/undecodable}}
        <div class="table-wrap">
        <table id="packets">
          <thead><tr><th scope="col">#</th><th scope="col">Status type</th><th scope="col">Received (UTC)</th><th scope="col">NAS</th>
            <th scope="col" class="num">Upload counter</th><th scope="col" class="num">Download counter</th><th scope="col" class="num">Session time</th>
            <th scope="col">Event time</th><th scope="col">Attributes</th></tr></thead>
          <tbody>
          {{#packets}}<tr data-packet="{{index}}" data-received="{{receivedAtValue}}"><td>{{index}}</td><td data-col="status">{{statusType}}</td>
            <td>{{receivedAt}}</td><td>{{nas}}</td>
            <td class="num" data-col="upload"{{#uploadCounterValue}} data-value="{{uploadCounterValue}}"{{/uploadCounterValue}}>{{uploadCounter}}</td>
            <td class="num" data-col="download"{{#downloadCounterValue}} data-value="{{downloadCounterValue}}"{{/downloadCounterValue}}>{{downloadCounter}}</td>
            <td class="num">{{sessionTime}}</td><td>{{eventTimestamp}}</td>
            <td><details><summary>{{attributeCount}} attributes</summary><dl class="mono">{{#attributes}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/attributes}}</dl></details></td></tr>
          {{/packets}}
          {{^packets}}<tr><td colspan="9" class="muted">The packet log holds no packets of this session (packets are kept for the log's retention period only).</td></tr>{{/packets}}
          </tbody>
        </table>
        </div>
        """,
    ]
}
