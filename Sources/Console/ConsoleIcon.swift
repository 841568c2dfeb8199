/// The console's icon, served from /console/static/icon.svg and named by the layout: without
/// it every browser asks for /favicon.ico, gets a 404 and reports an error in its console on
/// every page.
enum ConsoleIcon {
    static let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
        <rect width="32" height="32" rx="6" fill="#0b5cad"/>
        <path d="M8 9h16v4h-6v12h-4V13H8z" fill="#fff"/>
        </svg>
        """
}
