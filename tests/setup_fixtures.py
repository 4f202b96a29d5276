"""What tests of scripts/setup.sh share."""

# The commands scripts/setup.sh runs before it reaches the TTS engines: a PATH holding only
# these shows what a machine without espeak-ng and flite gets.
TOOLS = ("bash", "cat", "cut", "dirname", "id", "sha256sum", "python3")
