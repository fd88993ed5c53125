"""The one error type a user of the studio or the CLI ever sees."""


class EngineError(Exception):
    """A problem the user can act on, worded as one plain sentence.

    Pages show ``str(error)`` with ``st.error``; the CLI prints it to stderr and exits with 2.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
