"""The one workflow engine: every state machine of the programme as a declared table, and the one service
that takes a transition (``engine.take``). ``machines.MACHINES`` lists them; ``docs/workflow.md`` is drawn
from them (``smecluster workflow-doc``)."""
