import HTTPTypes

extension HTTPFields {
    /// What `self[name]` returns, without its cost when the field was sent once, as nearly every
    /// field is: the subscript joins the values of all fields of that name, which makes an array
    /// and a new string on every lookup (1.8 % of a `/v1` request's samples, for its seven).
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }  // sent more than once: joined, as the subscript does
            found = field.value
        }
        return found
    }
}
