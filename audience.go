package campaignbot

// AnnouncementAudience returns who an announcement's target means: ""
// everyone, a role (any word ParseRole accepts; a role wins over a
// department of the same name, as 办公室 may be both) or a department's
// name. The scheduler sends by it and the web console previews by it. A
// target that is neither is EINVALID.
func AnnouncementAudience(target string, departments []*Department) (func(*Person) bool, error) {
	if target == "" {
		return func(*Person) bool { return true }, nil
	}
	if r, ok := ParseRole(target); ok {
		return func(p *Person) bool { return p.HasRole(r) }, nil
	}
	for _, dep := range departments {
		if dep.Name == target {
			return func(p *Person) bool { return p.DepartmentID == dep.ID }, nil
		}
	}
	return nil, Errorf(EINVALID, "%q is neither a role nor a department", target)
}
