/// Where a listing request starts and how many rows it wants.
struct PageRequest {
    var after: [String]?
    var limit: Int
}
