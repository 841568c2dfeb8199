/// The form a listing answers in: JSON pages, or CSV streaming every row (`format=`).
enum ResponseFormat: String, CaseIterable {
    case json, csv
}
