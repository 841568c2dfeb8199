/// The console's Mustache templates, compiled into the program: the console needs no files
/// beside the binary and nothing from the internet (ISPs run it air-gapped). `{{x}}` escapes
/// HTML; `{{{x}}}` is used only for markup the console made itself (the rendered page, SVG).
///
/// Rules every template keeps, because the Content-Security-Policy enforces them: no
/// `<script>`, no `style="..."` attributes (sizes and colours of charts are SVG attributes),
/// every form field has a `<label>`, every state-changing form posts `csrf`.
enum ConsoleTemplates {
    static let all: [String: String] =
        base
        .merging(Self.pages) { first, _ in first }

    /// Templates of the page groups, by name.
    static var pages: [String: String] {
        [:]
            .merging(usage) { first, _ in first }
            .merging(billing) { first, _ in first }
            .merging(nas) { first, _ in first }
            .merging(audit) { first, _ in first }
    }

    static let base: [String: String] = [
        "layout": """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Tollgate</title>
        <link rel="stylesheet" href="/console/static/console.css">
        <link rel="icon" href="/console/static/icon.svg" type="image/svg+xml">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">Tollgate</span>
          {{#signedIn}}
          <nav aria-label="Sections"><ul>
            {{#sections}}<li><a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{title}}</a></li>{{/sections}}
          </ul></nav>
          <form class="signout" method="post" action="/console/logout">
            <span class="who">{{email}} · {{tenantName}} · {{role}}</span>
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">Sign out</button>
          </form>
          {{/signedIn}}
        </header>
        <main id="main">
        <h1>{{title}}</h1>
        {{{content}}}
        </main>
        </body>
        </html>
        """,
        "login": """
        <form class="login" method="post" action="/console/login">
          {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <p><label for="email">Email</label>
             <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}" autofocus></p>
          <p><label for="password">Password</label>
             <input id="password" name="password" type="password" autocomplete="current-password" required></p>
          <p><button type="submit">Sign in</button></p>
        </form>
        """,
        "error": """
        <p class="error" role="alert">{{message}}</p>
        <p><a href="{{back}}">Back</a></p>
        """,
    ]
}
