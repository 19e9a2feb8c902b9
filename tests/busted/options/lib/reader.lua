-- reads the global `ao` the helper set up
return { owner = function() return ao.id end }
