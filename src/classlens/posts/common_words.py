"""Given and family names that are also everyday English words.

A caption containing one of these may be talking about grace, hope or May
the month rather than a pupil: the name rule warns (the author confirms)
instead of blocking, and never passes it silently.
"""

EVERYDAY_WORDS = frozenset("""
amber angel april art august autumn bay bell berry bill birch black blaze bliss blossom
bob bond brook brown bud buddy burns candy carol cash chance chase cherry clay cliff
coral crystal daisy dale dash dawn dean dell destiny dixie dove drew duke dusty earl
echo eden ernest eve faith fern field fisher flora ford forest fox frank gale gay gene
ginger glen gold grace grant gray green grey guy hale hall hardy harmony hazel heath
heather hill holly honey hope hunter iris ivy jack jade jasmine jay jewel jolly joy
june just king lake lane lark laurel lavender lily lord love lucky mark marsh mason
may meadow mercy miles miller moon moss nova oak ocean olive pace park patience pearl
penny pepper pierce piper poppy price prince queen rain raven ray reed rich river
robin rock rose ruby rush rusty sage savannah scout sky skye sly smith snow sonny
spring star sterling stone storm summer sunny sutton tanner taylor true victor violet
wade ward warren wells west white will willow winter wolf wood woods wren young
""".split())
