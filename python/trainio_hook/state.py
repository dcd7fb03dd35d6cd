"""The hook's one switch. Every wrapper checks `state.on` first and calls straight through when off;
any exception inside hook code calls `disable()` so the hook goes quiet instead of reaching user
code."""

on = False


def enable():
    global on
    on = True


def disable():
    global on
    on = False
