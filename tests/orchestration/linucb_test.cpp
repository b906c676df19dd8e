// Written by a helper; placeholder until then.
