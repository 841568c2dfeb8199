/// Too many password checks are running or waiting: the sign-in should be tried again soon.
public struct PasswordChecksBusy: Error, CustomStringConvertible {
    public var description: String { "\(APIDatabase.passwordQueueLimit) password checks are already running or waiting" }
}
