extension ConsoleTemplates {
    /// The audit log page.
    static let audit: [String: String] = [
        "audit.list": """
        <form class="filters" method="get" action="/console/audit">
          <p><label for="audit-action">Action</label>
             <select id="audit-action" name="action">
               <option value=""{{#all}} selected{{/all}}>All actions</option>
               {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}
             </select></p>
          <p><label for="audit-limit">Per page</label>
             <input id="audit-limit" name="limit" inputmode="numeric" maxlength="3" value="{{limit}}"></p>
          <p><button type="submit">Show</button></p>
        </form>
        <div class="table-wrap">
        <table id="audit">
          <thead><tr><th scope="col">At (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Detail</th></tr></thead>
          <tbody>
          {{#entries}}
          <tr data-action="{{action}}" data-entry="{{id}}">
            <td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{object}}</td><td>{{detail}}</td>
          </tr>
          {{/entries}}
          {{#empty}}<tr><td colspan="5" class="muted">No actions recorded.</td></tr>{{/empty}}
          </tbody>
        </table>
        </div>
        {{#pager}}<div class="pager">
          {{#newer}}<a rel="prev" href="{{newer}}">Newer</a>{{/newer}}
          {{#older}}<a rel="next" href="{{older}}">Older</a>{{/older}}
        </div>{{/pager}}
        """
    ]
}
